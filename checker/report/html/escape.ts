/**
 * HTML escaping. Every model value, name and message reaches the page through these, so a state
 * holding `<script>` renders as text.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text for element content or a quoted attribute value. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!)
}

/** A value as compact JSON text (strings quoted), escaped. */
export function escValue(v: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(v)
  } catch {
    text = undefined
  }
  return esc(text ?? String(v))
}
