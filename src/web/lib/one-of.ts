// A form's text as one of the words an operation takes (a select's options are those
// words, so this only fails if the page offers a word the API does not).
export function oneOf<T extends string>(words: readonly T[], value: string): T {
  if (!(words as readonly string[]).includes(value)) throw new Error(`"${value}" is not one of: ${words.join(', ')}`);
  return value as T;
}
