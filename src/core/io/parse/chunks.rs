//! The `features` array, split across threads (a part of `Parser`): split points are
//! guessed near equal byte offsets (see `scan`) and verified — a chunk's result is used only
//! if the chunk before it ended exactly on its start — and the chunks' features, collected in
//! blocks, are joined in order without a second full copy.

use super::*;

impl Parser<'_> {
    /// Parse features until the closing `]`, or until landing exactly on one of `targets`
    /// (sorted element-start offsets); `first` says whether the cursor is right after `[`.
    fn feature_run(
        &mut self,
        first: bool,
        targets: &[usize],
        out: &mut Vec<Vec<Feature>>,
    ) -> R<ChunkEnd> {
        let mut tj = 0;
        let mut n = 0usize;
        let mut block: Vec<Feature> = Vec::with_capacity(BLOCK);
        let r = self.feature_run_into(first, targets, &mut tj, &mut n, &mut block, out);
        if !block.is_empty() {
            block.shrink_to_fit();
            out.push(block);
        }
        r
    }

    fn feature_run_into(
        &mut self,
        first: bool,
        targets: &[usize],
        tj: &mut usize,
        n: &mut usize,
        block: &mut Vec<Feature>,
        out: &mut Vec<Vec<Feature>>,
    ) -> R<ChunkEnd> {
        if first {
            self.ws();
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(ChunkEnd::End(self.i));
            }
        }
        loop {
            self.ws();
            if self.peek() != Some(b'{') {
                return err(
                    self.i,
                    format!("a feature must be an object, found {}", self.what()),
                );
            }
            if block.len() == BLOCK {
                out.push(std::mem::replace(block, Vec::with_capacity(BLOCK)));
            }
            block.push(self.feature()?);
            *n += 1;
            if n.is_multiple_of(CHECK_EVERY) {
                self.report()?;
            }
            if !self.next_or_close(b']')? {
                return Ok(ChunkEnd::End(self.i));
            }
            self.ws();
            while *tj < targets.len() && targets[*tj] < self.i {
                *tj += 1;
            }
            if *tj < targets.len() && targets[*tj] == self.i {
                return Ok(ChunkEnd::Landed(*tj));
            }
        }
    }

    /// The `features` array at the cursor, in parallel when it is large.
    pub(super) fn features(&mut self) -> R<Vec<Feature>> {
        self.ws();
        if self.peek() != Some(b'[') {
            return err(self.i, "\"features\" must be an array");
        }
        self.i += 1;
        let start = self.i;
        let rest = self.b.len() - start;
        let threads = self.shared.threads.min(rest / PARALLEL_MIN_BYTES).max(1);
        if threads <= 1 {
            let mut blocks = Vec::new();
            self.feature_run(true, &[], &mut blocks)?;
            return Ok(join_blocks(vec![blocks]));
        }
        // Guess split points near equal offsets.
        let mut starts = vec![start];
        for k in 1..threads {
            let t = start + rest * k / threads;
            let last = *starts.last().unwrap_or(&start);
            if let Some(c) = find_feature_start(self.b, t.max(last + 1))
                && c > last
            {
                starts.push(c);
            }
        }
        let b = self.b;
        let shared = self.shared;
        let depth = self.depth;
        let results: Vec<ChunkResult> = std::thread::scope(|s| {
            let starts = &starts;
            let handles: Vec<_> = (1..starts.len())
                .map(|k| {
                    s.spawn(move || {
                        let mut p = Parser::new(b, starts[k], shared);
                        p.depth = depth;
                        let mut out = Vec::new();
                        let end = p.feature_run(false, &starts[k + 1..], &mut out);
                        end.map(|e| (out, shift(e, k + 1), p.line_state()))
                    })
                })
                .collect();
            let mut out = Vec::new();
            let first = self
                .feature_run(true, &starts[1..], &mut out)
                .map(|e| (out, shift(e, 1), self.line_state()));
            let mut all = vec![first];
            for h in handles {
                all.push(h.join().unwrap_or_else(|_| {
                    Err(PErr::At(start, "internal: parser thread failed".into()))
                }));
            }
            all
        });
        // Follow the chain of chunks that were verified to start on a feature boundary.
        let mut results: Vec<Option<ChunkResult>> = results.into_iter().map(Some).collect();
        let mut chain = Vec::new();
        let mut cur = 0;
        loop {
            let Some(r) = results.get_mut(cur).and_then(Option::take) else {
                return err(start, "internal: chunk chain broken");
            };
            let (feats, end, lines) = r?;
            chain.push(feats);
            match end {
                ChunkEnd::Landed(j) => {
                    self.shared.chunks_used.fetch_add(1, Ordering::Relaxed);
                    cur = j;
                }
                ChunkEnd::End(p) => {
                    drop(results);
                    self.i = p;
                    // Later line positions are counted on from where the last chunk's
                    // parser stopped (not from the start: released input stays released).
                    self.line = lines.line;
                    self.line_start = lines.line_start;
                    self.counted_to = lines.counted_to;
                    return Ok(join_blocks(chain));
                }
            }
        }
    }
}

/// The features of the chunks in order, in one vector; each block is freed once moved.
fn join_blocks(chunks: Vec<Vec<Vec<Feature>>>) -> Vec<Feature> {
    let total = chunks.iter().flatten().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    for block in chunks.into_iter().flatten() {
        out.extend(block);
    }
    out
}

fn shift(e: ChunkEnd, base: usize) -> ChunkEnd {
    match e {
        ChunkEnd::Landed(j) => ChunkEnd::Landed(j + base),
        ChunkEnd::End(p) => ChunkEnd::End(p),
    }
}
