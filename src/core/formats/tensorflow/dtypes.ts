/** TensorFlow DataType numbers (types.proto) ↔ names and the weight dtypes of src/core/weights/types.ts. */
import type { WeightDtype } from '../../weights/types.js';
import { tensorflow } from './generated/tensorflow.js';

const TO_WEIGHT: Partial<Record<number, WeightDtype>> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 8: 'complex64', 9: 'int64', 10: 'bool',
  14: 'bfloat16', 17: 'uint16', 18: 'complex128', 19: 'float16', 22: 'uint32', 23: 'uint64',
  24: 'float8e5m2', 25: 'float8e4m3fn',
};

export const DT_FLOAT = 1;
export const DT_STRING = 7;
export const DT_RESOURCE = 20;
export const DT_VARIANT = 21;
/** `_REF` types are the value type + 100. */
export const REF_OFFSET = 100;

/** The weight dtype of a TensorFlow DataType (a `_REF` type counts as its value type); undefined when none fits. */
export function weightDtypeOfTf(dtype: number): WeightDtype | undefined {
  return TO_WEIGHT[dtype > REF_OFFSET ? dtype - REF_OFFSET : dtype];
}

/** `float`, `int32`, `string`, `float_ref`, `half` …: the enum name without `DT_`, lower case; `dtype_<n>` if unknown. */
export function tfDtypeName(dtype: number): string {
  const name = (tensorflow.DataType as unknown as Record<number, string | undefined>)[dtype];
  return typeof name === 'string' ? name.replace(/^DT_/, '').toLowerCase() : `dtype_${dtype}`;
}
