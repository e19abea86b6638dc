export { openEvalData, type Batch, type EvalData, type OpenEvalDataOptions } from './eval-data.js';
export { DataError } from './errors.js';
export { resizeBilinear, type Layout, type Preprocess } from './preprocess.js';
