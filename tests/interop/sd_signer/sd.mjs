#!/usr/bin/env node
// Test-only signer: ecdsa-sd-2023 base proof and derived proofs with Digital Bazaar's suite.
//
// Reads one JSON job on stdin:
//   {"credential": {...}, "key": {"publicKeyMultibase", "secretKeyMultibase"},
//    "verificationMethod": "did:key:zDn...#zDn...", "created": "2026-01-01T00:00:00Z",
//    "mandatoryPointers": ["/issuer"], "selections": [["/credentialSubject/id"], ...],
//    "contexts": "<dir with index.json>"}
// Prints {"base": <signed credential>, "derived": [<derived credential>, ...],
// "verified": [<true when the JS suite verifies each derived one>]}. Exit 2 on any error.
// The document loader serves the given contexts and the key's own documents: never the net.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as ecdsaSd2023 from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';

const {purposes: {AssertionProofPurpose}} = jsigs;

function contextsFrom(folder) {
  const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(index)) {
    if(!url.startsWith('_')) {
      contexts.set(url, JSON.parse(readFileSync(join(folder, entry.file), 'utf8')));
    }
  }
  return contexts;
}

function loaderFor({contexts, keyDocument, controllerDocument}) {
  return async url => {
    let document = contexts.get(url);
    if(url === keyDocument.id) {
      document = keyDocument;
    } else if(url === controllerDocument.id) {
      document = controllerDocument;
    }
    if(document === undefined) {
      throw new Error(`not served offline: ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

async function main() {
  const job = JSON.parse(readFileSync(0, 'utf8'));
  const vm = job.verificationMethod;
  const controller = vm.split('#')[0];
  const keyPair = await EcdsaMultikey.from({
    id: vm, controller, type: 'Multikey',
    publicKeyMultibase: job.key.publicKeyMultibase,
    secretKeyMultibase: job.key.secretKeyMultibase
  });
  const keyDocument = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: vm, type: 'Multikey', controller,
    publicKeyMultibase: job.key.publicKeyMultibase
  };
  const controllerDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: controller, verificationMethod: [keyDocument],
    assertionMethod: [vm]
  };
  const documentLoader = loaderFor(
    {contexts: contextsFrom(job.contexts), keyDocument, controllerDocument});
  const purpose = () => new AssertionProofPurpose();
  const base = await jsigs.sign(structuredClone(job.credential), {
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), date: job.created,
      cryptosuite: ecdsaSd2023.createSignCryptosuite(
        {mandatoryPointers: job.mandatoryPointers ?? []})
    }),
    purpose: purpose(), documentLoader
  });
  const derived = [];
  const verified = [];
  for(const selectivePointers of job.selections ?? []) {
    const one = await jsigs.derive(structuredClone(base), {
      suite: new DataIntegrityProof({
        cryptosuite: ecdsaSd2023.createDiscloseCryptosuite({selectivePointers})
      }),
      purpose: purpose(), documentLoader
    });
    derived.push(one);
    const result = await jsigs.verify(structuredClone(one), {
      suite: new DataIntegrityProof({
        cryptosuite: ecdsaSd2023.createVerifyCryptosuite()
      }),
      purpose: purpose(), documentLoader
    });
    verified.push(result.verified);
  }
  process.stdout.write(JSON.stringify({base, derived, verified}) + '\n');
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(2);
});
