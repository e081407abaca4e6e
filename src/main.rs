//! The `neardup` binary: parse flags, run, map the outcome to an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `neardup … | head` closing the pipe is not a failure.
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            let mut message = err.to_string();
            for cause in err.chain().skip(1) {
                let c = cause.to_string();
                if !message.contains(&c) {
                    message = format!("{message}: {c}");
                }
            }
            eprintln!("neardup: error: {message}");
            ExitCode::from(2)
        }
    }
}
