import { describe, expect, it } from "vitest";
import { goSprintf } from "../../../workers/rego/goruntime/fmt.js";
import { canBackquote, isPrint, quote, quoteRune } from "../../../workers/rego/goruntime/strconv.js";
import { termString } from "../../../workers/rego/value/index.js";

// Expected texts are what Go 1.22 prints for the same input.
describe("strconv quoting", () => {
  it("Quote escapes the quote, the backslash and the named control characters", () => {
    expect(quote("hello")).toBe('"hello"');
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quote("\x07\b\f\n\r\t\v")).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
    expect(quote("\x00\x1f\x7f")).toBe('"\\x00\\x1f\\x7f"');
  });

  it("Quote keeps printable runes and escapes the others by their code point", () => {
    expect(quote("héllo, 世界 😀")).toBe('"héllo, 世界 😀"');
    expect(quote("\u0080")).toBe('"\\u0080"');
    // Spaces other than U+0020, format characters and separators are not printable for Go.
    expect(quote("a\u00a0b")).toBe('"a\\u00a0b"');
    expect(quote("\u200b\u2028")).toBe('"\\u200b\\u2028"');
    expect(quote("\u{e0001}")).toBe('"\\U000e0001"');
    // A lone surrogate is what Go would decode as U+FFFD, which is printable.
    expect(quote("\ud800")).toBe('"\ufffd"');
  });

  it("QuoteToASCII escapes every non-ASCII rune", () => {
    expect(quote("héllo", "ascii")).toBe('"h\\u00e9llo"');
    expect(quote("😀\n", "ascii")).toBe('"\\U0001f600\\n"');
  });

  it("the time package's quote writes control and non-ASCII runes as UTF-8 bytes and nothing else", () => {
    expect(quote('a"\\é\x7f\n—', "bytes")).toBe('"a\\"\\\\\\xc3\\xa9\x7f\\x0a\\xe2\\x80\\x94"');
  });

  it("QuoteRune and QuoteRuneToASCII", () => {
    expect(quoteRune(0x27)).toBe("'\\''");
    expect(quoteRune(0x22)).toBe("'\"'");
    expect(quoteRune(0xe9)).toBe("'é'");
    expect(quoteRune(0xe9, "ascii")).toBe("'\\u00e9'");
    expect(quoteRune(0x0a)).toBe("'\\n'");
    expect(quoteRune(0x110000)).toBe("'\ufffd'");
    expect(quoteRune(-1)).toBe("'\ufffd'");
  });

  it("CanBackquote and IsPrint", () => {
    expect(canBackquote("a\tb")).toBe(true);
    expect(canBackquote("a`b")).toBe(false);
    expect(canBackquote("a\nb")).toBe(false);
    expect(canBackquote("\ufeff")).toBe(false);
    expect(isPrint(0x20)).toBe(true);
    expect(isPrint(0x7f)).toBe(false);
    expect(isPrint(0xa0)).toBe(false);
    expect(isPrint(0x4e16)).toBe(true);
  });

  it("is the quoting of fmt's %q, %+q, %#q and of Rego's term text", () => {
    const s = { kind: "string", v: "é\u00a0`" } as const;
    expect(goSprintf("%q|%+q|%#q", [s, s, { kind: "string", v: "ok" }])).toBe('"é\\u00a0`"|"\\u00e9\\u00a0`"|`ok`');
    expect(goSprintf("%q", [{ kind: "int", v: 0xe9n }])).toBe("'é'");
    expect(termString(["a\u00a0", "\n"])).toBe('["a\\u00a0", "\\n"]');
  });
});
