/** Server bodies come from many implementations and proxies: parse them without ever throwing. */

/** JSON.parse that returns `undefined` instead of throwing (empty body, HTML, plain text). */
export function parseJsonLoose(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_MESSAGE_LENGTH = 300;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH)}…` : oneLine;
}

function textOfHtml(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const text = title ?? html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

function textOfJsonObject(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['message', 'error', 'description', 'reason', 'status']) {
    const value = body[key];
    if (typeof value === 'string' && value !== '' && !parts.includes(value)) parts.push(value);
  }
  // Tokenserver and Cornice: {"status": "...", "errors": [{"location", "name", "description"}]}
  const errors = body['errors'];
  if (Array.isArray(errors)) {
    for (const entry of errors) {
      if (isJsonObject(entry)) {
        const detail = [entry['name'], entry['description']].filter((v) => typeof v === 'string' && v !== '').join(': ');
        if (detail !== '') parts.push(detail);
      }
    }
  }
  if (typeof body['errno'] === 'number') parts.push(`errno ${body['errno']}`);
  return parts.length > 0 ? parts.join('; ') : JSON.stringify(body);
}

/**
 * The server's own explanation inside an error body, as one short line: the useful fields of a
 * JSON object, a bare JSON number or string as is, the title or text of an HTML page, or the
 * plain text. `undefined` for an empty body.
 */
export function serverErrorText(body: string): string | undefined {
  if (body.trim() === '') return undefined;
  const parsed = parseJsonLoose(body);
  let text: string;
  if (typeof parsed === 'number' || typeof parsed === 'boolean') text = String(parsed);
  else if (typeof parsed === 'string') text = parsed;
  else if (isJsonObject(parsed)) text = textOfJsonObject(parsed);
  else if (parsed !== undefined) text = JSON.stringify(parsed);
  else if (/^\s*</.test(body)) text = textOfHtml(body);
  else text = body;
  const short = shorten(text);
  return short === '' ? undefined : short;
}
