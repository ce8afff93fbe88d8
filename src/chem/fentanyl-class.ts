// Is a structure a fentanyl-related substance? The class definition (DEA temporary
// scheduling order, 83 FR 5188, 2018; made permanent by the HALT Fentanyl Act, 2025):
// any substance structurally related to fentanyl by one or more of
//   (A) replacement of the phenyl portion of the phenethyl group by any monocycle,
//       whether or not further substituted in or on the monocycle;
//   (B) substitution in or on the phenethyl group with alkyl, alkenyl, alkoxyl,
//       hydroxyl, halo, haloalkyl, amino or nitro groups;
//   (C) substitution in or on the piperidine ring with alkyl, alkenyl, alkoxyl,
//       ester, ether, hydroxyl, halo, haloalkyl, amino or nitro groups;
//   (D) replacement of the aniline ring with any aromatic monocycle, whether or not
//       further substituted in or on the aromatic monocycle; and/or
//   (E) replacement of the N-propionyl group by another acyl group.
// Every such substance keeps fentanyl's skeleton: an acyl group and an aromatic
// monocycle on the nitrogen at piperidine position 4, and a two-carbon chain from
// the piperidine nitrogen to a monocycle. That skeleton is the SMARTS below,
// matched with RDKit (WebAssembly); which of A-E apply is read from narrower
// patterns. Metabolites and precursors that lose a part of it (norfentanyl,
// 4-ANPP), one-carbon linkers (benzylfentanyl) and remifentanil's ester chain are
// outside the class, as in the definition.
import initRDKitModule from '@rdkit/rdkit';
import { StatusError } from '../domain/errors.js';
import type { MainModule as RDKitModule, Mol as JSMol } from '@rdkit/rdkit';

let rdkit: Promise<RDKitModule> | undefined;
const load = (): Promise<RDKitModule> => (rdkit ??= (initRDKitModule as unknown as () => Promise<RDKitModule>)());

const CORE = '[CX3](=O)N([a;R1])[C;R1]1[C;R1][C;R1]N([CX4][CX4][*;R1])[C;R1][C;R1]1';
const PATTERNS = {
  propionyl: '[CH3][CH2]C(=O)N([a;R1])[C;R1]1[C;R1][C;R1]N[C;R1][C;R1]1',
  aniline: 'C(=O)N([c;R1]1[cH][cH][cH][cH][cH]1)[C;R1]1[C;R1][C;R1]N[C;R1][C;R1]1',
  phenethyl: '[C;R1]1[C;R1]N([CH2][CH2]c2[cH][cH][cH][cH][cH]2)[C;R1][C;R1][C;R1]1',
  phenethylRing: '[C;R1]1[C;R1]N([CX4][CX4]c2[cH][cH][cH][cH][cH]2)[C;R1][C;R1][C;R1]1',
  piperidine: 'C(=O)N(a)[CH1]1[CH2][CH2]N[CH2][CH2]1',
};
const FENTANYL = 'CCC(=O)N(C1CCN(CC1)CCC2=CC=CC=C2)C3=CC=CC=C3';

export interface FentanylClassResult {
  smiles: string;
  /** Canonical SMILES, as RDKit writes it. */
  canonical: string;
  fentanylRelated: boolean;
  isFentanyl: boolean;
  /** Which modifications of the definition (A-E) turn fentanyl into this structure. */
  modifications: ('A' | 'B' | 'C' | 'D' | 'E')[];
  explanation: string;
}

export class StructureError extends StatusError {}

const has = (mol: JSMol, q: JSMol): boolean => mol.get_substruct_match(q) !== '{}';

export async function fentanylClass(smiles: string): Promise<FentanylClassResult> {
  if (!smiles || smiles.length > 2000) throw new StructureError('smiles: give a structure of at most 2000 characters');
  const R = await load();
  const mol = R.get_mol(smiles);
  if (!mol?.is_valid()) {
    mol?.delete();
    throw new StructureError(`smiles: "${smiles.slice(0, 80)}" is not a valid structure`);
  }
  const qs = Object.fromEntries(Object.entries({ CORE, ...PATTERNS }).map(([k, v]) => [k, R.get_qmol(v)])) as Record<
    string,
    JSMol
  >;
  const ref = R.get_mol(FENTANYL)!;
  try {
    const canonical = mol.get_smiles();
    const isFentanyl = canonical === ref.get_smiles();
    const inClass = has(mol, qs.CORE!);
    const mods: FentanylClassResult['modifications'] = [];
    if (inClass && !isFentanyl) {
      if (!has(mol, qs.phenethylRing!)) mods.push('A');
      if (has(mol, qs.phenethylRing!) && !has(mol, qs.phenethyl!)) mods.push('B');
      if (!has(mol, qs.piperidine!)) mods.push('C');
      if (!has(mol, qs.aniline!)) mods.push('D');
      if (!has(mol, qs.propionyl!)) mods.push('E');
    }
    const explanation = isFentanyl
      ? 'fentanyl itself'
      : inClass
        ? `fentanyl skeleton (acyl and aromatic monocycle on the piperidine 4-nitrogen, two-carbon chain from the piperidine nitrogen to a monocycle)${mods.length ? `; modifications ${mods.join(', ')} of the class definition` : ''}`
        : 'lacks the fentanyl skeleton (an acylated aromatic amine at piperidine position 4 and a two-carbon chain from the piperidine nitrogen to a monocycle)';
    return { smiles, canonical, fentanylRelated: inClass && !isFentanyl, isFentanyl, modifications: mods, explanation };
  } finally {
    mol.delete();
    ref.delete();
    for (const q of Object.values(qs)) q.delete();
  }
}
