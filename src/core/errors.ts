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
  | 'usage' // a CLI or API call with wrong arguments
  | 'exists' // the library already has an entry (or file) with that id or path
  | 'unsafe-path' // an entry name or file path that could escape the library folder or is not a portable file name
  | 'network' // the host could not be reached, or the connection kept dropping (retries exhausted)
  | 'http' // the server answered with an error status that retrying will not fix
  | 'not-found' // the server says the file does not exist at that URL (404)
  | 'auth' // the server wants a token (401) or refuses the one given (403)
  | 'integrity' // downloaded bytes whose sha256 or size differ from the expected ones
  | 'aborted' // stopped on request (AbortSignal); a download's partial is kept for resuming
  | 'quota' // not enough storage space (browser quota or full disk)
  | 'bad-recipe' // a recipe or rewrite option that is not valid: unknown step, wrong option type, a tensor that does not exist
  | 'unsafe-code' // a file asks to run code (a pickle global not on the allow-list): refused, nothing executed
  | 'mismatch' // weights whose names, shapes or dtypes do not fit the architecture or model they are meant for
  | 'runtime'; // onnxruntime refused to load or run a model (old opset, unknown op, kernel missing)

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
