import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value: the bytes the access log's hash chain covers.
 * Written by the `canonicalize` package (by one of the RFC's authors); undefined, NaN, Infinity and lone
 * surrogates are refused rather than silently dropped.
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('A value with no JSON form cannot be canonicalised.');
  return text;
}
