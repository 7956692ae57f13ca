/** Text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * JSON inside `<script type="application/json">`: `<` is escaped so that no `</script>` or
 * `<!--` in the data can end the element early.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** A library's source inlined in a `<script>`: a `</script` in one of its strings would end the element. */
export function scriptSource(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}
