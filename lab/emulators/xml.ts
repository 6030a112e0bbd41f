/**
 * A tiny XML builder for the query-protocol emulators (no XML library is installed). Plain strings are
 * always escaped; only `Xml` values built here are inserted as markup, so user input cannot inject tags.
 */
export class Xml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

export type XmlContent = Xml | string | number | boolean | undefined | null;

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[char]};`,
  );
}

function render(content: XmlContent | XmlContent[]): string {
  if (Array.isArray(content)) return content.map(render).join('');
  if (content instanceof Xml) return content.markup;
  if (content === undefined || content === null) return '';
  return escapeXml(String(content));
}

/** `<name attr="…">content</name>`; undefined/null children are left out. */
export function element(
  name: string,
  content: XmlContent | XmlContent[],
  attributes: Record<string, string> = {},
): Xml {
  const attributeText = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  return new Xml(`<${name}${attributeText}>${render(content)}</${name}>`);
}

export function xmlDocument(root: Xml): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.markup}`;
}
