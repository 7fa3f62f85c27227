/**
 * How `npm run plan` decorates its text: colour and column alignment only on a terminal, and never with
 * `NO_COLOR` (https://no-color.org: set and not empty). Piped or redirected output is plain text whose columns
 * are separated by two spaces.
 */
export interface Style {
    /** ANSI colours and bold. */
    readonly color: boolean;
    /** Columns padded to line up. */
    readonly align: boolean;
}

export const PLAIN: Style = { color: false, align: false };

/** The style for a stream: a TTY gets colour and alignment unless NO_COLOR is set. */
export function styleFor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): Style {
    const on = stream.isTTY === true && !env.NO_COLOR;
    return { color: on, align: on };
}

const CODES = { bold: [1, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22] } as const;

/** `text` in a colour when the style has colour; otherwise `text` unchanged. */
export function paint(style: Style, colour: keyof typeof CODES, text: string): string {
    if (!style.color) return text;
    const [on, off] = CODES[colour];
    return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Rows of cells as text: padded columns when aligned (`right` lists right-aligned columns), else two spaces. */
export function columns(style: Style, rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
    if (!style.align) return rows.map((r) => r.filter((c, i) => c !== "" || i < r.length - 1).join("  ").trimEnd());
    const widths: number[] = [];
    for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
    return rows.map((r) => r.map((c, i) => (i === r.length - 1 && !right.includes(i) ? c : right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd());
}
