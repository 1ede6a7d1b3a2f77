/*
 * The docker reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest],
 * plus bare image ids. Used to tell an image reference from a mistyped path.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
const IMAGE_ID = /^(?:sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$/;

export function isImageReference(input: string): boolean {
  if (input.length > 255 + 128 + 72) return false;
  return IMAGE_ID.test(input) || REFERENCE.test(input);
}
