/** The `--by` option shared by every `df2 eval` task. */
import { InvalidArgumentError } from 'commander';
import { ATTRIBUTE_NAMES, type AttributeName } from '../schema/index.js';

/** `--by` is repeatable; `all` stands for the four attributes. */
export function collectAttribute(value: string, previous: AttributeName[] = []): AttributeName[] {
  if (value === 'all') return [...new Set([...previous, ...ATTRIBUTE_NAMES])];
  if (!(ATTRIBUTE_NAMES as string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${ATTRIBUTE_NAMES.join(', ')} or all`);
  }
  const name = value as AttributeName;
  return previous.includes(name) ? previous : [...previous, name];
}
