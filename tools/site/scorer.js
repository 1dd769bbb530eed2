// Search ranking of the course website (Sphinx's html_search_scorer; written for tools/build_site.py).
// Sphinx's own weights, then a lesson ranks above every other kind of page that matches, and practice pages and
// worked solutions below them: a reader who searches for "lactate" meets the lesson that explains it first.
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    if (docname.startsWith("notebooks/")) return score + 1000;
    if (docname.startsWith("exercises/")) return score - 1000;
    if (docname.startsWith("solutions/")) return score - 2000;
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
