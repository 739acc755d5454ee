//! A progress bar on the terminal for first-run installs and index rebuilds.

use indicatif::{ProgressBar, ProgressStyle};
use safeguarding_core::{Progress, Stage};
use std::sync::Mutex;

pub struct TerminalProgress {
    bar: Option<ProgressBar>,
    stage: Mutex<Option<Stage>>,
}

impl TerminalProgress {
    pub fn new(enabled: bool) -> TerminalProgress {
        let bar = enabled.then(|| {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        TerminalProgress { bar, stage: Mutex::new(None) }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for TerminalProgress {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        let Some(bar) = &self.bar else { return };
        let mut current = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        if *current != Some(stage) {
            *current = Some(stage);
            if bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_message(match stage {
                Stage::Checking => "Checking content",
                Stage::Installing => "Installing pages",
                Stage::Indexing => "Building search index",
                Stage::Downloading => "Downloading update",
            });
        }
        if stage == Stage::Downloading {
            // `total` is only the cap; the size of a delta is not known in advance.
            bar.set_message(format!("Downloading update: {} KB", done.div_ceil(1024)));
            bar.set_length(done.max(1));
            bar.set_position(done);
            return;
        }
        bar.set_length(total.max(1));
        bar.set_position(done);
    }
}
