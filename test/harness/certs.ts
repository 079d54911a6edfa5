// Throwaway PKI for one test control plane: a CA, a serving certificate for kube-apiserver
// (valid for 127.0.0.1 and the in-cluster names) and a service-account signing key pair.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ControlPlaneCerts {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (cause) {
    throw new Error(`openssl ${args[0]} failed`, { cause });
  }
}

/**
 * Writes the PKI into `dir` (EC P-256 keys: fast to make) and returns the file paths. `serverIps`
 * are the serving certificate's IP addresses (default 127.0.0.1 and the test Service range's
 * first address).
 */
export async function generateCerts(
  dir: string,
  serverIps: readonly string[] = ['127.0.0.1', '10.0.0.1'],
): Promise<ControlPlaneCerts> {
  const files: ControlPlaneCerts = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await Promise.all([
    writeFile(files.serviceAccountKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    writeFile(files.serviceAccountPub, sa.publicKey.export({ type: 'spki', format: 'pem' })),
    writeFile(
      join(dir, 'apiserver.ext'),
      `subjectAltName=${serverIps.map((ip) => `IP:${ip}`).join(',')},DNS:localhost,DNS:kubernetes,` +
        'DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' +
        'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
    ),
  ]);
  // CA and server key/CSR are independent; signing needs both.
  await Promise.all([
    openssl(
      ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2']
        .concat(['-subj', '/CN=voicefleet-test-ca'])
        .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
        .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']),
      dir,
    ),
    openssl(
      ['req', ...ec, '-keyout', 'apiserver.key', '-out', 'apiserver.csr'].concat([
        '-subj',
        '/CN=kube-apiserver',
      ]),
      dir,
    ),
  ]);
  await openssl(
    ['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key']
      .concat(['-CAcreateserial', '-out', 'apiserver.crt', '-days', '2'])
      .concat(['-extfile', 'apiserver.ext']),
    dir,
  );
  return files;
}

/** A client certificate signed by the PKI's CA (e.g. kube-apiserver's towards kubelets). */
export async function generateClientCert(
  dir: string,
  name: string,
  subject: string,
): Promise<{ cert: string; key: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await writeFile(
    join(dir, `${name}.ext`),
    'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  await openssl(
    ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject],
    dir,
  );
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key']
      .concat(['-CAcreateserial', '-out', `${name}.crt`, '-days', '2'])
      .concat(['-extfile', `${name}.ext`]),
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}
