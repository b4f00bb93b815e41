/**
 * crypto.* built-ins: digests, HMACs and private-key parsing. Digests and
 * HMACs are synchronous (@noble/hashes) and work on the UTF-8 bytes of their
 * operands, as Go does.
 */
import type { Value } from "../value/index.js";
import { str } from "./args.js";
import { encodeHex } from "../goruntime/hex.js";
import { utf8 } from "./pki/bytes.js";
import { withBuiltinErrors } from "./pki/errors.js";
import { privateKeyGoJSON } from "./pki/keyjson.js";
import { completePrivateKey, privateKeysFromPEM } from "./pki/keys.js";
import { constantTimeEqual, digest, hmacDigest, type HashName } from "./pki/signature.js";
import type { BuiltinContext, BuiltinFn, BuiltinTable } from "./types.js";

function hashBuiltin(h: HashName): BuiltinFn {
  return (args) => encodeHex(digest(h, utf8(str(args, 0))));
}

function hmacBuiltin(h: HashName): BuiltinFn {
  return (args) => {
    const message = str(args, 0);
    const key = str(args, 1);
    return encodeHex(hmacDigest(h, utf8(key), utf8(message)));
  };
}

function parsePrivateKeys(args: Value[], ctx: BuiltinContext): Value {
  const input = str(args, 0);
  if (input === "") return null;
  const keys = withBuiltinErrors(() => privateKeysFromPEM(input).map((k) => completePrivateKey(ctx, k)));
  return keys.map((k) => privateKeyGoJSON(ctx, k));
}

export const cryptoBuiltins: BuiltinTable = {
  "crypto.md5": hashBuiltin("MD5"),
  "crypto.sha1": hashBuiltin("SHA-1"),
  "crypto.sha256": hashBuiltin("SHA-256"),
  "crypto.hmac.md5": hmacBuiltin("MD5"),
  "crypto.hmac.sha1": hmacBuiltin("SHA-1"),
  "crypto.hmac.sha256": hmacBuiltin("SHA-256"),
  "crypto.hmac.sha512": hmacBuiltin("SHA-512"),
  "crypto.hmac.equal": (args) => {
    const a = str(args, 0);
    const b = str(args, 1);
    return constantTimeEqual(utf8(a), utf8(b));
  },
  "crypto.parse_private_keys": parsePrivateKeys,
};
