"""Runners: what composes the stages over a store.

- `pipeline`: read → extract → store, in batches, with one error policy;
- `workers`: extraction in this process or in a pool of processes;
- `progress`: what a long run shows while it works;
- `resolution`: near-duplicates and incidents over what is stored, with analysts'
  decisions re-applied;
- `watch`: feeds and pages polled on a schedule, each new item run through the pipeline.
"""
