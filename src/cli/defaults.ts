/** The bundled default model and evaluation subset, found relative to the installed package. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export const BUNDLED = {
  model: join(packageRoot, 'zoo', 'bundled', 'model.onnx'),
  images: join(packageRoot, 'zoo', 'bundled', 'images.npy'),
  labels: join(packageRoot, 'zoo', 'bundled', 'labels.npy'),
} as const;
