//! The whole command line, as clap derives it. Settings are resolved into a
//! [`crate::config::Config`] before any command runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

use crate::complete;

mod admin;
pub mod quick;
use crate::engine::FollowUpOutcome;
use crate::playbook::Severity;
use crate::render::print::Paper;
pub use admin::{ExportArgs, ImportArgs, PurgeArgs, ServerArgs, ServerCommand, SyncArgs};

/// Steps you through service recovery: apologise, fix, amend, follow up.
#[derive(Debug, Parser)]
#[command(name = "recover", version, about, long_about = None, propagate_version = true, arg_required_else_help = true)]
#[command(after_help = "Start with `recover start --type reservation`; `recover list` shows the types.")]
pub struct Cli {
    /// Settings every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// Use the playbooks in DIR instead of the built-in library [env: RECOVER_PLAYBOOKS]
    #[arg(long, global = true, value_name = "DIR")]
    pub playbooks: Option<PathBuf>,
    /// The incident log file [env: RECOVER_LOG]
    #[arg(long, global = true, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Language of playbook text, e.g. en, da, nb, et, bn [env: RECOVER_LANG]
    #[arg(long, global = true, value_name = "CODE")]
    pub lang: Option<String>,
    /// When to use colour and box drawing (NO_COLOR turns them off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// This desk's site, for a shared log on a server [env: RECOVER_SITE]
    #[arg(long, global = true, value_name = "NAME")]
    pub site: Option<String>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the playbooks: type, title, aliases, steps per phase
    List(ListArgs),
    /// Show one playbook, with the words to say
    Show(ShowArgs),
    /// Validate playbooks and policy; every problem as file:line:col
    Check(CheckArgs),
    /// Print the JSON Schema of the playbook format, for editors
    Schema,
    /// Run a guided recovery session
    Start(StartArgs),
    /// Continue an interrupted session (the latest if no ID)
    Resume(ResumeArgs),
    /// List past incidents, newest first
    Log(LogArgs),
    /// Show one incident's summary again
    #[command(name = "show-incident")]
    ShowIncident(ShowIncidentArgs),
    /// Follow-ups that are overdue or due soon
    ///
    /// On a shared log every site the login reads is shown (head office: all of them);
    /// --site NAME keeps that site's follow-ups. A log file is one desk's own and has no
    /// sites.
    Due(DueArgs),
    /// Mark a follow-up done, or a step skipped at the time done afterwards
    Done(DoneArgs),
    /// Give up an unfinished incident; it stays in the log
    Abandon(AbandonArgs),
    /// Totals over a period: incidents, timings, amends, follow-ups
    Report(ReportArgs),
    /// Write incidents as JSON lines, the same objects as `log --json`
    Export(ExportArgs),
    /// Merge exported incidents into this log (importing twice changes nothing)
    Import(ImportArgs),
    /// Delete incidents started before a date, for data retention
    Purge(PurgeArgs),
    /// Print playbooks for training: text, Markdown or HTML
    Print(PrintArgs),
    /// Practise a playbook: a short drill generated from its own steps
    Drill(DrillArgs),
    /// Show which playbooks and log are in use, and where each setting came from
    Paths,
    /// Send this desk's answers to the shared log now; --status: what waits
    Sync(SyncArgs),
    /// Set up and check a shared log on a PostgreSQL server
    Server(ServerArgs),
    /// Print shell completions: `source <(recover completions bash)` in ~/.bashrc
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

/// Output for scripts.
#[derive(Debug, Args, Default)]
pub struct MachineOutput {
    /// One JSON object per line
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Comma-separated values with a header row, for spreadsheets: amounts are plain
    /// decimal numbers (point as separator) with the currency code in a column of its own,
    /// durations are whole seconds, times RFC 3339 UTC
    #[arg(long)]
    pub csv: bool,
    /// Start the CSV with a UTF-8 byte-order mark, which Excel needs to read names such as
    /// Søren or Bengali text right when the file is opened by double-click. In LibreOffice
    /// Calc or Google Sheets, import without it and choose the character set UTF-8 and the
    /// separator comma
    #[arg(long, requires = "csv")]
    pub bom: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per playbook
    #[arg(long)]
    pub json: bool,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The playbook's type or alias
    #[arg(value_name = "TYPE", add = ArgValueCompleter::new(complete::types))]
    pub kind: String,
    /// Also show the words to say in the guest's language
    #[arg(long, value_name = "CODE")]
    pub guest_lang: Option<String>,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Playbook files or folders (default: the library in use)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The failure type (or an alias), e.g. reservation; left out in a terminal, it is picked from a list
    #[arg(long = "type", short = 't', value_name = "TYPE", add = ArgValueCompleter::new(complete::types))]
    pub kind: Option<String>,
    /// How bad it is (asked if not given)
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// The guest's booking number, loyalty id or e-mail, to notice a repeat guest (only
    /// a keyed hash of it is stored)
    #[arg(long = "guest", value_name = "KEY")]
    pub guest_key: Option<String>,
    /// Your name [env: RECOVER_STAFF]
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,
    /// Your role in the policy, e.g. staff, supervisor [env: RECOVER_ROLE]
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The customer's booking, room, table or order reference
    #[arg(long = "ref", value_name = "TEXT")]
    pub reference: Option<String>,
    /// Where in the customer's journey it went wrong (asked if not given)
    #[arg(long, value_name = "POINT")]
    pub failure_point: Option<String>,
    /// Take every answer from a YAML answers file; no prompts
    #[arg(long, value_name = "FILE", conflicts_with = "yes")]
    pub answers: Option<PathBuf>,
    /// No prompts: every step done, first options, the amends bundle for the severity
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Name of whoever approves amends over your limit (with --yes): someone else
    #[arg(long, value_name = "NAME")]
    pub approved_by: Option<String>,
    /// The approver's role in the policy; its limit must cover the amends (with --yes)
    #[arg(long, value_name = "ROLE", requires = "approved_by")]
    pub approver_role: Option<String>,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
    /// Also show the words to say in the guest's language
    #[arg(long, value_name = "CODE")]
    pub guest_lang: Option<String>,
}

/// `resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The incident id (default: the latest unfinished)
    #[arg(add = ArgValueCompleter::new(complete::unfinished))]
    pub id: Option<String>,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
    /// Also show the words to say in the guest's language
    #[arg(long, value_name = "CODE")]
    pub guest_lang: Option<String>,
    /// No prompts: what is left is answered as `start --yes` would
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Name of whoever approves amends over your limit (with --yes): someone else
    #[arg(long, value_name = "NAME")]
    pub approved_by: Option<String>,
    /// The approver's role in the policy; its limit must cover the amends (with --yes)
    #[arg(long, value_name = "ROLE", requires = "approved_by")]
    pub approver_role: Option<String>,
}

/// `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only incidents started since: 8h, 2d, today, a date or an RFC 3339 time
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only this type (or alias)
    #[arg(long = "type", value_name = "TYPE", add = ArgValueCompleter::new(complete::types))]
    pub kind: Option<String>,
    /// Only incidents handled by NAME
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,
    /// Only unfinished incidents or ones with open follow-ups
    #[arg(long)]
    pub open: bool,
    /// Only incidents that stand so
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Option<crate::engine::Status>,
    /// Show the newest N matches. The table shows the newest 50 unless told; --json and
    /// --csv give every match unless told
    #[arg(long, value_name = "N", conflicts_with = "all", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Show every match in the table, not only the newest 50
    #[arg(long)]
    pub all: bool,
    /// Output for scripts.
    #[command(flatten)]
    pub output: MachineOutput,
}

/// `show-incident`.
#[derive(Debug, Args)]
pub struct ShowIncidentArgs {
    /// The incident id
    #[arg(add = ArgValueCompleter::new(complete::any_incident))]
    pub id: String,
    /// Print it as one JSON object
    #[arg(long)]
    pub json: bool,
}

/// `due`.
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Also follow-ups due within this long (default: the rest of today)
    #[arg(long, value_name = "DURATION")]
    pub within: Option<String>,
    /// Exit 1 if any follow-up is overdue
    #[arg(long)]
    pub check: bool,
    /// Write an iCalendar file (RFC 5545) of the same follow-ups (overdue, or due within
    /// --within, default the rest of today), each with an alarm at its due time
    #[arg(long, conflicts_with_all = ["json", "csv", "check"])]
    pub ics: bool,
    /// Leave out customers' refs
    #[arg(long)]
    pub redact: bool,
    /// Output for scripts.
    #[command(flatten)]
    pub output: MachineOutput,
}

/// `done`.
#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The incident id
    #[arg(add = ArgValueCompleter::new(complete::with_open_follow_up))]
    pub id: String,
    /// The follow-up's step id, or the id of a step that was skipped
    #[arg(add = ArgValueCompleter::new(complete::open_steps))]
    pub step: String,
    /// What was said or done
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Whether the customer was won back (a follow-up only) [default: done]
    #[arg(long, value_enum)]
    pub outcome: Option<FollowUpOutcome>,
    /// Who did it [env: RECOVER_STAFF]
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,
    /// Print the incident as one JSON object
    #[arg(long)]
    pub json: bool,
}

/// `abandon`.
#[derive(Debug, Args)]
pub struct AbandonArgs {
    /// The incident id
    pub id: String,
    /// Why it is given up; kept in the log
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who gives it up [env: RECOVER_STAFF]
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,
    /// Print the incident as one JSON object
    #[arg(long)]
    pub json: bool,
}

/// `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period: 8h, 30d, today, a date or an RFC 3339 time
    #[arg(long, value_name = "WHEN", default_value = "today")]
    pub since: String,
    /// Only incidents of this type
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Output format: a table, or one HTML page of charts
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, conflicts_with_all = ["json", "csv"])]
    pub format: ReportFormat,
    /// Write to FILE instead of standard output
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Paper size the HTML page is laid out for (it fits the width of either)
    #[arg(long, value_enum, default_value_t = Paper::A4)]
    pub paper: Paper,
    /// With --json: also what the HTML charts show (per-day counts, binned timings, top five)
    #[arg(long, requires = "json")]
    pub detail: bool,
    /// Split the report: `site`, one part per site of a shared log (amounts are always kept
    /// apart per currency); with --format html, a section per site on one page
    #[arg(long, value_enum, value_name = "WHAT", conflicts_with_all = ["detail", "kind"])]
    pub by: Option<ReportBy>,
    /// Output for scripts.
    #[command(flatten)]
    pub output: MachineOutput,
}

/// `report --by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    /// One part per site
    Site,
}

/// `report --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table for the terminal (or --json, --csv)
    Text,
    /// One self-contained HTML page of charts, printable on A4 and Letter
    Html,
}

/// `print`.
#[derive(Debug, Args)]
pub struct PrintArgs {
    /// Types to print (default: all)
    #[arg(value_name = "TYPE", add = ArgValueCompleter::new(complete::types))]
    pub kinds: Vec<String>,
    /// Print every playbook
    #[arg(long, conflicts_with = "kinds")]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = PrintFormat::Text)]
    pub format: PrintFormat,
    /// Write to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also show the words to say in the guest's language
    #[arg(long, value_name = "CODE")]
    pub guest_lang: Option<String>,
    /// Paper size the HTML handbook is laid out for
    #[arg(long, value_enum, default_value_t = Paper::A4)]
    pub paper: Paper,
    /// Pocket cards instead of handbook pages: HTML, four cards of about A6 to a sheet,
    /// with cut lines
    #[arg(long, conflicts_with_all = ["format", "guest_lang"])]
    pub card: bool,
}

/// `drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The playbook to practise (default: one picked by the seed)
    #[arg(long = "type", short = 't', value_name = "TYPE", conflicts_with = "results")]
    pub kind: Option<String>,
    /// How many questions (default 6, one of each kind)
    #[arg(long, value_name = "N", conflicts_with = "results")]
    pub questions: Option<usize>,
    /// Repeat a drill: the same seed gives the same questions
    #[arg(long, value_name = "N", conflicts_with = "results")]
    pub seed: Option<u64>,
    /// Your name [env: RECOVER_STAFF]; with --results, only this person's results
    #[arg(long, value_name = "NAME")]
    pub staff: Option<String>,
    /// Your role in the policy, which decides the amends you may give [env: RECOVER_ROLE]
    #[arg(long, value_name = "ROLE", conflicts_with = "results")]
    pub role: Option<String>,
    /// Take the answers from a YAML file; no prompts
    #[arg(long, value_name = "FILE", conflicts_with = "results")]
    pub answers: Option<PathBuf>,
    /// Show recorded drill results per person instead of drilling
    #[arg(long)]
    pub results: bool,
    /// With --results: only drills since 8h, 30d, today, a date or an RFC 3339 time
    #[arg(long, value_name = "WHEN", requires = "results")]
    pub since: Option<String>,
    /// Output for scripts (--csv with --results only).
    #[command(flatten)]
    pub output: MachineOutput,
}

/// `print --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrintFormat {
    /// Plain text wrapped to the terminal
    Text,
    /// A Markdown handbook
    Markdown,
    /// One printable HTML file
    Html,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
