/** decodeURIComponent that returns its input when the input is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Query or form parameters as decoded name/value pairs (`+` is a space). */
export function parseParameters(text: string): (readonly [string, string])[] {
  if (text === '') return [];
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      return [safeDecode(name.replace(/\+/g, ' ')), safeDecode(value.replace(/\+/g, ' '))] as const;
    });
}
