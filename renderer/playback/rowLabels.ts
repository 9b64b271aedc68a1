/**
 * The timeline's row labels, short enough for their column and never alike when the names
 * differ (issue 18: "QL47 – Cầu Khê, đầu cầu phía Tây" and "… phía Đông" were both cut to
 * "QL47 – Cầu Khê,…"). A long name keeps its first words and its last words around an
 * ellipsis ("QL47 – Cầu…phía Tây"); the end grows, word by word, until every label of
 * different names differs.
 */
export function rowLabels(names: readonly string[], maxChars: number): string[] {
  const cut = (name: string, tailBudget: number): string => {
    const characters = Array.from(name);
    if (characters.length <= maxChars) return name;
    const words = name.split(' ');
    // the last words that fit in the tail's budget (at least the last word, cut if it is too long)
    let tail = '';
    for (let index = words.length - 1; index >= 0; index--) {
      const candidate = tail ? `${words[index]} ${tail}` : words[index]!;
      if (Array.from(candidate).length > tailBudget && tail) break;
      tail = candidate;
    }
    if (Array.from(tail).length > maxChars - 2) tail = Array.from(tail).slice(-(maxChars - 2)).join('');
    // the first words that fit in what is left (cut mid-word only when the first word is too long)
    const headBudget = maxChars - 1 - Array.from(tail).length;
    const headChars = characters.slice(0, headBudget).join('');
    const space = headChars.lastIndexOf(' ');
    const head = (characters[headBudget] === ' ' || space <= 0 ? headChars : headChars.slice(0, space)).trimEnd().replace(/[\s,–-]+$/, '');
    return `${head}…${tail.replace(/^[\s,–-]+/, '')}`;
  };
  let budget = Math.floor(maxChars / 2);
  for (;;) {
    const labels = names.map((name) => cut(name, budget));
    const clash = labels.some((label, index) => labels.findIndex((other, at) => other === label && names[at] !== names[index]) >= 0);
    if (!clash || budget >= maxChars - 2) return labels;
    budget += 1;
  }
}
