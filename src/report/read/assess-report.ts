/**
 * What only `safer assess` knows (layer ops, parameter and FLOP counts, its verdict, the tolerance, the
 * data description). Two forms are read: assess.json, `safer assess`'s AssessReport (src/assess), and
 * report.json, the ReportData this module writes, so a results dir can be re-rendered any number of times.
 */
import { ReportInputError } from '../errors.js';
import { REPORT_DATA_SCHEMA, REPORT_DATA_VERSION, type LayerInfo } from '../report-data.js';
import { JsonField } from '../../json/json-field.js';

export interface AssessInput {
  model: string | null;
  data: string | null;
  images: number | null;
  tolerance: number | null;
  layers: LayerInfo[];
  command: string | null;
  sweepSeconds: number | null;
  criteriaSeconds: number | null;
}

export function parseAssessReport(file: string, text: string): AssessInput {
  const root = JsonField.parse(file, text, ReportInputError);
  return root.get('schema').value === REPORT_DATA_SCHEMA ? fromReportData(root) : fromAssessReport(root);
}

function fromAssessReport(root: JsonField): AssessInput {
  const criteria = root.get('criteria').optional((f) => f.array().map((c) => c.get('seconds').number()));
  return {
    model: root.get('model').string(),
    data: root.get('data').optional((f) => f.string()),
    images: root.get('images').optional((f) => f.integer()),
    tolerance: root.get('tolerance').optional((f) => f.fraction()),
    layers: root.get('layers').array().map((l) => ({
      ...layerInfo(l),
      verdict: l.has('compress') || l.has('protect') ? { compress: verdict(l.get('compress')), protect: verdict(l.get('protect')) } : null,
    })),
    command: commandOf(root.get('command')),
    sweepSeconds: root.get('sweep').optional((s) => s.get('seconds').number()),
    criteriaSeconds: criteria === null ? null : criteria.reduce((a, b) => a + b, 0),
  };
}

function fromReportData(root: JsonField): AssessInput {
  const version = root.get('version').integer();
  if (version > REPORT_DATA_VERSION) {
    throw new ReportInputError(`${root.file}: report data version ${version} is newer than this safer reads (${REPORT_DATA_VERSION}); update safer`);
  }
  const model = root.get('model');
  const data = model.get('data');
  const reproducibility = root.get('reproducibility');
  const seconds = reproducibility.get('seconds');
  return {
    model: model.get('path').optional((f) => f.string()),
    data: data.get('description').optional((f) => f.string()),
    images: data.get('images').optional((f) => f.integer()),
    tolerance: model.get('tolerance').optional((f) => f.fraction()),
    layers: model.get('layers').array().map((l) => ({
      ...layerInfo(l),
      verdict: l.get('verdict').optional((v) => ({ compress: v.get('compress').optional((f) => f.boolean()), protect: v.get('protect').optional((f) => f.boolean()) })),
    })),
    command: commandOf(reproducibility.get('command')),
    sweepSeconds: seconds.get('sweep').optional((f) => f.number()),
    criteriaSeconds: seconds.get('criteria').optional((f) => f.number()),
  };
}

/** assess's verdict: "yes", "no", or "uncertain" (null). */
function verdict(field: JsonField): boolean | null {
  const value = field.value;
  if (value === 'yes') return true;
  if (value === 'no') return false;
  if (value === 'uncertain') return null;
  return field.fail('"yes", "no" or "uncertain"');
}

function layerInfo(l: JsonField): Omit<LayerInfo, 'verdict'> {
  return {
    name: l.get('name').string(),
    index: l.get('index').integer(),
    op: l.get('op').optional((f) => f.string()),
    params: l.get('params').optional((f) => f.integer()),
    flops: l.get('flops').optional((f) => f.number()),
  };
}

/** A recorded command line: a string, or argv as an array of strings. */
function commandOf(field: JsonField): string | null {
  if (field.absent || field.value === null) return null;
  if (Array.isArray(field.value)) return field.array().map((f) => quoteArg(f.string())).join(' ');
  return field.string();
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
