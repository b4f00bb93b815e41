/**
 * PEM blocks as Go's encoding/pem finds them. The details matter because OPA
 * reports "extra data after a PEM certificate block" from what Go's Decode
 * leaves over, and skips blocks Go would not recognise.
 */
import { decodeStd, encodeStd } from "../../goruntime/base64.js";

export interface PemBlock {
  type: string;
  headers: Map<string, string>;
  bytes: Uint8Array;
}

const PEM_START = "\n-----BEGIN ";
const PEM_END = "\n-----END ";
const PEM_EOL = "-----";

/** One line without its end-of-line marker and trailing blanks, and the rest. */
function getLine(data: string): [string, string] {
  let i = data.indexOf("\n");
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === "\r") i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ""), data.slice(j)];
}

/**
 * Finds the next PEM block in `data`. Returns the block (or undefined) and the
 * rest of the input after it; with no block, the rest is all of `data`.
 */
export function pemDecode(data: string): [PemBlock | undefined, string] {
  let rest = data;
  for (;;) {
    if (rest.startsWith(PEM_START.slice(1))) {
      rest = rest.slice(PEM_START.length - 1);
    } else {
      const at = rest.indexOf(PEM_START);
      if (at < 0) return [undefined, data];
      rest = rest.slice(at + PEM_START.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith(PEM_EOL)) continue;
    typeLine = typeLine.slice(0, -PEM_EOL.length);

    const headers = new Map<string, string>();
    for (;;) {
      if (rest.length === 0) return [undefined, data];
      const [line, next] = getLine(rest);
      const colon = line.indexOf(":");
      if (colon < 0) break;
      headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      rest = next;
    }

    let endIndex: number;
    let endTrailerIndex: number;
    // Without headers the END line may follow at once, without a newline.
    if (headers.size === 0 && rest.startsWith(PEM_END.slice(1))) {
      endIndex = 0;
      endTrailerIndex = PEM_END.length - 1;
    } else {
      endIndex = rest.indexOf(PEM_END);
      endTrailerIndex = endIndex + PEM_END.length;
    }
    if (endIndex < 0) continue;

    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = typeLine.length + PEM_EOL.length;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(typeLine) || !endTrailer.endsWith(PEM_EOL)) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;

    const base64Data = rest.slice(0, endIndex).replace(/[ \t]/g, "");
    let bytes: Uint8Array;
    try {
      bytes = decodeStd(base64Data);
    } catch {
      continue;
    }
    rest = getLine(rest.slice(endIndex + PEM_END.length - 1))[1];
    return [{ type: typeLine, headers, bytes }, rest];
  }
}

/** pem.Encode: 64-column base64 between BEGIN and END lines. */
export function pemEncode(type: string, bytes: Uint8Array): string {
  const b64 = encodeStd(bytes);
  let body = "";
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + "\n";
  return `-----BEGIN ${type}-----\n${body}-----END ${type}-----\n`;
}
