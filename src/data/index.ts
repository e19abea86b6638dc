export { openDataset, type Batch, type Dataset, type OpenDatasetOptions } from './dataset.js';
export { DataError } from './errors.js';
export { resizeBilinear, type Layout, type Preprocess } from './preprocess.js';
