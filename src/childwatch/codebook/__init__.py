"""The domain knowledge, as data: versioned, commented TOML files in this folder, each
validated when it is loaded, with every problem reported at once with its file and line.

- `loader`: armed groups and forces, known original sources (actors.toml, sources.toml);
- `lexicon`: the words of violations, children, counts, attribution... (violations.toml,
  lexicon.toml);
- `resolution`: resolution's weights, thresholds and date gaps (resolution.toml);
- `gazetteer`: the offline place-name lookup, over the file `gazetteer_build` makes from
  installed packages and places.toml (`gazetteer_schema` is what both agree on).
"""
