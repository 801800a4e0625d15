// Writes the small sample PDF used by the /dev/panels harness and browser tests:
// `node scripts/make-sample-pdf.mjs public/dev/sample-contract.pdf`.
import { writeFileSync } from 'node:fs';
const pages = [
  [
    'Service Agreement',
    [
      '1. Scope of services',
      'The provider delivers onboarding and support.',
      '2. Term',
      'This agreement starts on signature and lasts twelve months.',
    ],
  ],
  [
    'Payment Terms',
    [
      '3. Fees',
      'Invoices are due within thirty days of receipt.',
      'Late payments accrue interest of one percent per month.',
    ],
  ],
  [
    'Termination',
    [
      '4. Termination',
      'Either party may terminate with sixty days written notice.',
      '5. Confidentiality',
      'Both parties keep shared information confidential.',
    ],
  ],
];
const objs = [];
const add = (s) => {
  objs.push(s);
  return objs.length;
};
const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>');
const pagesId = objs.length + 1 + pages.length * 2; // reserved later
const kids = [];
for (const [title, lines] of pages) {
  let s = `BT /F2 26 Tf 72 720 Td (${title}) Tj ET\n`;
  let y = 670;
  for (const line of lines) {
    const heading = /^\d\./.test(line);
    s += `BT /${heading ? 'F2' : 'F1'} ${heading ? 15 : 12} Tf 72 ${y} Td (${line}) Tj ET\n`;
    y -= heading ? 26 : 22;
  }
  const content = add(`<< /Length ${s.length} >>\nstream\n${s}endstream`);
  kids.push(
    add(
      `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R /Resources << /Font << /F1 ${font} 0 R /F2 ${bold} 0 R >> >> >>`,
    ),
  );
}
const p = add(
  `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
);
if (p !== pagesId) throw new Error('pages id');
const catalog = add(`<< /Type /Catalog /Pages ${p} 0 R >>`);
let out = '%PDF-1.4\n';
const offsets = [];
objs.forEach((o, i) => {
  offsets.push(out.length);
  out += `${i + 1} 0 obj\n${o}\nendobj\n`;
});
const xref = out.length;
out +=
  `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` +
  offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
out += `trailer\n<< /Size ${objs.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
writeFileSync(process.argv[2], out);
