/** The shared tool-skip helper (tools/testing/require-tool.ts), kept importable from the storefront tests. */
export * from "../../tools/testing/require-tool";
