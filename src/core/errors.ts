/**
 * Every failure the core reports on purpose is an OmnihubError with a stable `code`, so the CLI prints one line,
 * the UI shows a sentence, and tests assert on the kind of failure rather than on message text.
 */
export type ErrorCode =
  | 'empty-file' // 0 bytes
  | 'wrong-format' // a known file type, but not the one expected (HDF5 given as .onnx, …)
  | 'not-onnx' // parses as protobuf, but not as an ONNX model
  | 'truncated' // a field runs past the end of the bytes
  | 'malformed' // bytes that no valid encoder writes
  | 'too-deep' // nesting beyond the decoder's limit
  | 'too-large' // more content than the decode budget allows
  | 'external-data' // a side file is missing, too short, or points outside its folder
  | 'unsupported' // valid, but a feature this code does not handle
  | 'usage'; // a CLI or API call with wrong arguments

export class OmnihubError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OmnihubError';
    this.code = code;
  }
}

export function isOmnihubError(e: unknown): e is OmnihubError {
  return e instanceof OmnihubError;
}
