/**
 * Go's fmt.Sprintf: the printer follows fmt's doPrintf: flags `+-# 0`, width
 * and precision (also `*` and explicit `[n]` argument indexes), the verbs for
 * integers, big integers, floats, strings, booleans and preformatted
 * composites, and its error forms `%!v(MISSING)`, `%!(EXTRA …)`,
 * `%!(NOVERB)`, `%!x(type=value)`. Used by the sprintf built-in and by
 * text/template's printf.
 */
import { canBackquote, formatFloat, isPrint, quote, quoteRune, type FloatFormat } from "./strconv.js";

/**
 * A Go operand of fmt.Sprintf. OPA only passes the first four kinds; the
 * template built-in's printf also passes booleans, json.Number (a string
 * type) and composites, which print as their preformatted %v text.
 */
export type GoArg =
  | { kind: "int"; v: bigint }
  | { kind: "big"; v: bigint }
  | { kind: "float"; v: number }
  | { kind: "string"; v: string; type?: string }
  | { kind: "bool"; v: boolean }
  | { kind: "other"; type: string; text: string };

function goTypeName(a: GoArg): string {
  switch (a.kind) {
    case "int":
      return "int";
    case "big":
      return "*big.Int";
    case "float":
      return "float64";
    case "string":
      return a.type ?? "string";
    case "bool":
      return "bool";
    default:
      return a.type;
  }
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const utf8 = new TextEncoder();

/** One fmt.pp: the output buffer and the flags of the verb being printed. */
class Printer {
  out = "";
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  widPresent = false;
  prec = 0;
  precPresent = false;

  clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
    this.widPresent = this.precPresent = false;
  }

  private padding(n: number): string {
    if (n <= 0) return "";
    return (this.zero && !this.minus ? "0" : " ").repeat(n);
  }

  /** Writes s padded to the width (counted in runes). */
  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.out += s;
      return;
    }
    const fill = this.padding(this.wid - runeCount(s));
    this.out += this.minus ? s + fill : fill + s;
  }

  /** pad with the zero flag ignored, as fmt does for numbers it pads itself. */
  private padNoZero(s: string): void {
    const z = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = z;
  }

  private truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = 0;
    let i = 0;
    for (const ch of s) {
      if (n === this.prec) return s.slice(0, i);
      n++;
      i += ch.length;
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) this.pad("`" + s + "`");
    else this.pad(quote(s, this.plus ? "ascii" : "print"));
  }

  fmtSx(s: string, upper: boolean): void {
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    const b = utf8.encode(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.out += this.padding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.out += this.padding(this.wid - width);
    const prefix = "0" + (upper ? "X" : "x");
    let s2 = this.sharp ? prefix : "";
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        s2 += " ";
        if (this.sharp) s2 += prefix;
      }
      const c = b[i] as number;
      s2 += digits[c >> 4]! + digits[c & 15]!;
    }
    this.out += s2;
    if (this.widPresent && this.wid > width && this.minus) this.out += this.padding(this.wid - width);
  }

  /** fmt.fmtInteger for a signed 64-bit value. */
  fmtInteger(v: bigint, base: number, verb: string, upper: boolean): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const z = this.zero;
        this.zero = false;
        this.out += this.padding(this.wid);
        this.zero = z;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits;
    if (this.sharp) {
      if (base === 2) digits = "0b" + digits;
      else if (base === 8) {
        if (digits[0] !== "0") digits = "0" + digits;
      } else if (base === 16) digits = (upper ? "0X" : "0x") + digits;
    }
    if (verb === "O") digits = "0o" + digits;
    if (negative) digits = "-" + digits;
    else if (this.plus) digits = "+" + digits;
    else if (this.space) digits = " " + digits;
    this.padNoZero(digits);
  }

  fmtFloat(v: number, verb: FloatFormat, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      /* keep */
    } else num = "+" + num;
    if (this.space && num[0] === "+" && !this.plus) num = " " + num.slice(1);
    if (this.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "g" || verb === "G" || verb === "x") digits = prec === -1 ? 6 : prec;
      let tail = "";
      let body = num;
      let hasPoint = false;
      let sawNonzero = false;
      for (let i = 1; i < body.length; i++) {
        const c = body[i] as string;
        if (c === ".") hasPoint = true;
        else if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        } else {
          if (c !== "0") sawNonzero = true;
          if (sawNonzero) digits--;
        }
      }
      if (!hasPoint) {
        if (body.length === 2 && body[1] === "0") digits--;
        body += ".";
      }
      while (digits > 0) {
        body += "0";
        digits--;
      }
      num = body + tail;
    }
    if (this.plus || num[0] !== "+") {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.out += num[0] + "0".repeat(this.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtC(c: bigint): void {
    this.pad(String.fromCodePoint(validRune(c)));
  }

  fmtQc(c: bigint): void {
    this.pad(quoteRune(validRune(c), this.plus ? "ascii" : "print"));
  }

  fmtUnicode(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    let s = u.toString(16).toUpperCase();
    const prec = this.precPresent && this.prec > 4 ? this.prec : 4;
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    s = "U+" + s;
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    this.padNoZero(s);
  }

  /** big.Int's Format method, which fmt calls for every verb but %T and %p. */
  fmtBig(x: bigint, verb: string): void {
    let base: number;
    switch (verb) {
      case "b":
        base = 2;
        break;
      case "o":
      case "O":
        base = 8;
        break;
      case "d":
      case "s":
      case "v":
        base = 10;
        break;
      case "x":
      case "X":
        base = 16;
        break;
      default:
        this.out += `%!${verb}(big.Int=${x.toString()})`;
        return;
    }
    const sign = x < 0n ? "-" : this.plus ? "+" : this.space ? " " : "";
    let prefix = "";
    if (this.sharp) prefix = BIG_PREFIX[verb] ?? "";
    if (verb === "O") prefix = "0o";
    let digits = (x < 0n ? -x : x).toString(base);
    if (verb === "X") digits = digits.toUpperCase();
    let left = 0;
    let zeros = 0;
    let right = 0;
    if (this.precPresent) {
      if (digits.length < this.prec) zeros = this.prec - digits.length;
      else if (digits === "0" && this.prec === 0) return;
    }
    const length = sign.length + prefix.length + zeros + digits.length;
    if (this.widPresent && length < this.wid) {
      const d = this.wid - length;
      if (this.minus) right = d;
      else if (this.zero && !this.precPresent) zeros = d;
      else left = d;
    }
    this.out += " ".repeat(left) + sign + prefix + "0".repeat(zeros) + digits + " ".repeat(right);
  }

  badVerb(verb: string, arg: GoArg): void {
    this.out += "%!" + verb + "(" + goTypeName(arg) + "=";
    this.printArg(arg, "v");
    this.out += ")";
  }

  printArg(arg: GoArg, verb: string): void {
    if (verb === "T") {
      this.fmtS(goTypeName(arg));
      return;
    }
    if (verb === "p") {
      this.badVerb(verb, arg);
      return;
    }
    switch (arg.kind) {
      case "big":
        this.fmtBig(arg.v, verb);
        return;
      case "int":
        switch (verb) {
          case "v":
          case "d":
            return this.fmtInteger(arg.v, 10, verb, false);
          case "b":
            return this.fmtInteger(arg.v, 2, verb, false);
          case "o":
          case "O":
            return this.fmtInteger(arg.v, 8, verb, false);
          case "x":
            return this.fmtInteger(arg.v, 16, verb, false);
          case "X":
            return this.fmtInteger(arg.v, 16, verb, true);
          case "c":
            return this.fmtC(arg.v);
          case "q":
            return this.fmtQc(arg.v);
          case "U":
            return this.fmtUnicode(arg.v);
        }
        return this.badVerb(verb, arg);
      case "float":
        switch (verb) {
          case "v":
            return this.fmtFloat(arg.v, "g", -1);
          case "b":
          case "g":
          case "G":
          case "x":
          case "X":
            return this.fmtFloat(arg.v, verb, -1);
          case "f":
          case "e":
          case "E":
          case "F":
            return this.fmtFloat(arg.v, verb, 6);
        }
        return this.badVerb(verb, arg);
      case "string":
        switch (verb) {
          case "v":
            return this.sharpV ? this.fmtQ(arg.v) : this.fmtS(arg.v);
          case "s":
            return this.fmtS(arg.v);
          case "x":
          case "X":
            return this.fmtSx(arg.v, verb === "X");
          case "q":
            return this.fmtQ(arg.v);
        }
        return this.badVerb(verb, arg);
      case "bool":
        if (verb === "t" || verb === "v") return this.pad(arg.v ? "true" : "false");
        return this.badVerb(verb, arg);
      case "other":
        if (verb === "v") return this.pad(arg.text);
        return this.badVerb(verb, arg);
    }
  }
}

const BIG_PREFIX: Record<string, string> = { b: "0b", o: "0", x: "0x", X: "0X" };

function validRune(c: bigint): number {
  if (c < 0n || c > 0x10ffffn) return 0xfffd;
  const n = Number(c);
  return n >= 0xd800 && n <= 0xdfff ? 0xfffd : n;
}

/** Digits at format[i…]: [value, present, next index]; overlong numbers are not numbers. */
function parseNum(format: string, i: number, end: number): [number, boolean, number] {
  let num = 0;
  let isNum = false;
  let j = i;
  for (; j < end && format.charCodeAt(j) >= 48 && format.charCodeAt(j) <= 57; j++) {
    if (num > 1e6) return [0, false, end];
    num = num * 10 + format.charCodeAt(j) - 48;
    isNum = true;
  }
  return [num, isNum, j];
}

/** fmt.Sprintf(format, args…). */
export function goSprintf(format: string, args: GoArg[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  /** An explicit [n] argument index at format[i]. */
  const argNumber = (i: number): [number, number, boolean] => {
    if (i >= end || format[i] !== "[") return [argNum, i, false];
    reordered = true;
    // parseArgNumber: at least "[n]"
    if (end - i < 3) {
      goodArgNum = false;
      return [argNum, i + 1, false];
    }
    for (let j = i + 1; j < end; j++) {
      if (format[j] === "]") {
        const [n, ok, next] = parseNum(format, i + 1, j);
        if (!ok || next !== j) {
          goodArgNum = false;
          return [argNum, j + 1, false];
        }
        const index = n - 1;
        if (index >= 0 && index < args.length) return [index, j + 1, true];
        goodArgNum = false;
        return [argNum, j + 1, true];
      }
    }
    goodArgNum = false;
    return [argNum, i + 1, false];
  };

  /** An int operand for `*`; big ints, floats and strings are not ints to fmt. */
  const intFromArg = (): [number, boolean] => {
    if (argNum >= args.length) return [0, false];
    const a = args[argNum++] as GoArg;
    if (a.kind !== "int") return [0, false];
    const n = Number(a.v);
    if (n > 1e6 || n < -1e6) return [0, false];
    return [n, true];
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    i = format.indexOf("%", i);
    if (i < 0) i = end;
    if (i > lasti) p.out += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.clearFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case "#":
          p.sharp = true;
          break;
        case "0":
          p.zero = !p.minus;
          break;
        case "+":
          p.plus = true;
          break;
        case "-":
          p.minus = true;
          p.zero = false;
          break;
        case " ":
          p.space = true;
          break;
        default:
          break flags;
      }
    }

    [argNum, i, afterIndex] = argNumber(i);

    if (i < end && format[i] === "*") {
      i++;
      const [w, ok] = intFromArg();
      p.wid = w;
      p.widPresent = ok;
      if (!ok) p.out += "%!(BADWIDTH)";
      if (p.wid < 0) {
        p.wid = -p.wid;
        p.minus = true;
        p.zero = false;
      }
      afterIndex = false;
    } else {
      [p.wid, p.widPresent, i] = parseNum(format, i, end);
      if (afterIndex && p.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      [argNum, i, afterIndex] = argNumber(i);
      if (i < end && format[i] === "*") {
        i++;
        const [pr, ok] = intFromArg();
        p.prec = pr;
        p.precPresent = ok;
        if (p.prec < 0) {
          p.prec = 0;
          p.precPresent = false;
        }
        if (!p.precPresent) p.out += "%!(BADPREC)";
        afterIndex = false;
      } else {
        [p.prec, p.precPresent, i] = parseNum(format, i, end);
        if (!p.precPresent) {
          p.prec = 0;
          p.precPresent = true;
        }
      }
    }

    if (!afterIndex) [argNum, i, afterIndex] = argNumber(i);

    if (i >= end) {
      p.out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;

    if (verb === "%") p.out += "%";
    else if (!goodArgNum) p.out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) p.out += `%!${verb}(MISSING)`;
    else {
      if (verb === "v") {
        p.sharpV = p.sharp;
        p.sharp = false;
        p.plusV = p.plus;
        p.plus = false;
      }
      p.printArg(args[argNum] as GoArg, verb);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.clearFlags();
    p.out += "%!(EXTRA ";
    args.slice(argNum).forEach((a, k) => {
      if (k > 0) p.out += ", ";
      p.out += goTypeName(a) + "=";
      p.printArg(a, "v");
    });
    p.out += ")";
  }
  return p.out;
}
