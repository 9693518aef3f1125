/** Safety numbers laid out for reading aloud: 12 groups of 5 digits, in 3 lines of 4. */
export function formatSafetyNumber(number: string): string {
  const groups = number.split(/\s+/).filter((group) => group !== '');
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += 4) lines.push(groups.slice(i, i + 4).join(' '));
  return lines.join('\n');
}
