/** safetensors: reader, writer (reference byte layout) and Hugging Face sharded checkpoints. */
export * from './read.js';
export * from './write.js';
export * from './sharded.js';
