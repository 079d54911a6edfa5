// Phone numbers in what leaves the node (events, webhooks): all but the last four digits masked.

/** A run of 7 or more digits, possibly with +, spaces, dots, dashes or brackets between them. */
const PHONE_LIKE = /\+?\(?\d(?:[\s().-]{0,2}\d){6,}/g;

/** `+14155550199` -> `+*******0199`; also `sip:+14155550199@edge` -> `sip:+*******0199@edge`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_LIKE, (run) => {
    let keep = 4;
    const chars = [...run];
    for (let i = chars.length - 1; i >= 0; i--) {
      const c = chars[i]!;
      if (!/\d/.test(c)) continue;
      if (keep > 0) keep--;
      else chars[i] = '*';
    }
    return chars.join('');
  });
}
