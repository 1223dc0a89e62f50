/**
 * IPP event subscriptions on the bed's scheduler, asked with ipptool (CUPS's own tool, not the
 * client under test): whether one exists, or cancel it behind the client's back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Testbed } from './testbed.ts';

/** Sends `operation` about subscription `id`; true when CUPS says successful-ok. */
export async function onSubscription(
  bed: Testbed,
  operation: 'Get-Subscription-Attributes' | 'Cancel-Subscription',
  id: number,
): Promise<boolean> {
  const file = join(bed.dir, `${operation}.test`);
  writeFileSync(
    file,
    [
      '{',
      `  OPERATION ${operation}`,
      '  GROUP operation-attributes-tag',
      '  ATTR charset attributes-charset utf-8',
      '  ATTR naturalLanguage attributes-natural-language en',
      '  ATTR uri printer-uri $uri',
      '  ATTR integer notify-subscription-id $id',
      '  ATTR name requesting-user-name $user',
      '  STATUS successful-ok',
      '}',
      '',
    ].join('\n'),
  );
  const result = await bed.run('ipptool', ['-d', `id=${String(id)}`, `${bed.cupsUri}/`, file]);
  if (
    result.code !== 0 &&
    !/client-error-not-found|Subscription #\d+ does not exist/.test(result.stdout + result.stderr)
  )
    throw new Error(`ipptool failed: ${result.stdout}${result.stderr}`);
  return result.code === 0;
}

/** Whether CUPS still holds subscription `id`. */
export const subscriptionExists = (bed: Testbed, id: number): Promise<boolean> =>
  onSubscription(bed, 'Get-Subscription-Attributes', id);
