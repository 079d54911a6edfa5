// Bodies a dialog understands: application/dtmf-relay (INFO) and message/sipfrag (NOTIFY).

export interface DtmfRelay {
  digit: string;
  durationMs: number | undefined;
}

/** `Signal=5\r\nDuration=160` -> { digit: '5', durationMs: 160 }. */
export function parseDtmfRelay(body: string): DtmfRelay | undefined {
  const signal = /^\s*signal\s*=\s*([0-9A-Da-d*#]|1[0-6])\s*$/im.exec(body)?.[1];
  if (signal === undefined) return undefined;
  const duration = /^\s*duration\s*=\s*(\d{1,6})\s*$/im.exec(body)?.[1];
  const named: Record<string, string> = {
    '10': '*',
    '11': '#',
    '12': 'A',
    '13': 'B',
    '14': 'C',
    '15': 'D',
    '16': 'F',
  };
  return {
    digit: named[signal] ?? signal.toUpperCase(),
    durationMs: duration === undefined ? undefined : Number(duration),
  };
}

/** Status code of a `message/sipfrag` status line, e.g. `SIP/2.0 200 OK`. */
export function sipfragStatus(body: string): number | undefined {
  const m = /^SIP\/2\.0 (\d{3})/.exec(body.trimStart());
  return m ? Number(m[1]) : undefined;
}
