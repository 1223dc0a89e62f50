import { isPrintoError } from '../../src-shared/errors.ts';
import { groupsOf } from '../../src-main/printers/ipp/attributes.ts';
import { IppDecodeError, decodeMessage } from '../../src-main/printers/ipp/codec.ts';
import { jobFromAttributes, printerFromAttributes } from '../../src-main/printers/cups/mapping.ts';

/**
 * What a mutated response may do: decode (and then map to printers and jobs, or be refused by the
 * mapping with a PrintoError), or be rejected by the decoder with IppDecodeError. Anything else
 * (a TypeError, a RangeError, a ZodError) escapes and fails the run.
 */
export function fuzzTarget(bytes: Uint8Array): 'decoded' | 'rejected' {
  let message;
  try {
    message = decodeMessage(bytes);
  } catch (error) {
    if (error instanceof IppDecodeError) return 'rejected';
    throw error;
  }
  for (const group of groupsOf(message, 'printer')) {
    try {
      printerFromAttributes(group, 'fuzz');
    } catch (error) {
      if (!isPrintoError(error)) throw error;
    }
  }
  for (const group of groupsOf(message, 'job')) {
    try {
      jobFromAttributes(group, undefined, 'fuzz');
    } catch (error) {
      if (!isPrintoError(error)) throw error;
    }
  }
  return 'decoded';
}
