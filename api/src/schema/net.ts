/** Host and CIDR checks shared by the CEL twins and the media-node config. */
import { isIP } from 'node:net';

const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Mirrors CEL `self.matches(HOSTNAME_RE) || isIP(self)`. */
export function isHostOrIp(value: string): boolean {
  return (value.length <= 253 && HOSTNAME.test(value)) || isIP(value) !== 0;
}

/** Mirrors CEL `isCIDR(self)`: an address and a prefix length valid for its family. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const family = isIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (family === 0 || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export const HOSTNAME_RE = HOSTNAME.source;
