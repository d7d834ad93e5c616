/**
 * The bytes of JSON's grammar, for the readers that scan a file's bytes
 * (stream.ts finds each element's end, flat-object.ts reads an element). A
 * const enum: the compiler writes each value in place, so the scanners'
 * loops compare against literals.
 */
export const enum JsonByte {
  Quote = 0x22,
  Backslash = 0x5c,
  LeftBracket = 0x5b,
  RightBracket = 0x5d,
  LeftBrace = 0x7b,
  RightBrace = 0x7d,
  Comma = 0x2c,
  Colon = 0x3a,
  Minus = 0x2d,
  Plus = 0x2b,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  LowerE = 0x65,
  UpperE = 0x45,
}

/** JSON's white space: space, line feed, carriage return, tab. */
export const isJsonSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
