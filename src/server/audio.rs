//! Call recordings as audio: renders a transcript to one mono 16-bit PCM WAV at telephone quality
//! (8 kHz, about 16 KB a second) with espeak-ng, a different voice for the agent and the caller,
//! each utterance placed at its start offset from the answer (silence between them).
//!
//! espeak-ng is an external program (`espeak-ng --stdout`, the text on its standard input so no
//! text is ever read as an option); when it is not on `PATH` there is no recording and the caller
//! says why ([`RenderError::NotInstalled`]). Each utterance is one process, run on a blocking
//! thread with a deadline. The WAV handling (reading espeak-ng's streamed header, resampling,
//! mixing, writing) is a few lines of arithmetic, written here rather than pulling in a crate.

use crate::model::{Speaker, TranscriptSegment};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CONTENT_TYPE: &str = "audio/wav";
/// Telephone quality.
pub const SAMPLE_RATE: u32 = 8_000;
/// The agent and the caller sound different.
const AGENT_VOICE: &str = "en-us+f3";
const CALLER_VOICE: &str = "en-gb+m3";
/// Words a minute; the simulator times utterances at 150.
const SPEED: &str = "165";
/// One utterance may take this long to render.
const RENDER_DEADLINE: Duration = Duration::from_secs(20);
/// A recording is at most this long (the longest call an agent allows, plus a margin).
const MAX_MS: i64 = 3_700_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// espeak-ng is not on the server's `PATH`.
    NotInstalled,
    /// It is, but rendering failed (the reason is for the log and the call's note).
    Failed(String),
}

impl RenderError {
    /// What the dashboard shows.
    pub fn note(&self) -> String {
        match self {
            RenderError::NotInstalled => "espeak-ng is not installed on the server, so calls are not rendered to audio.".into(),
            RenderError::Failed(why) => format!("The recording could not be rendered: {why}"),
        }
    }
}

/// A rendered recording.
#[derive(Debug, Clone)]
pub struct Wav {
    pub bytes: Vec<u8>,
    pub duration_ms: i64,
}

/// Where espeak-ng is, if it is on `PATH`.
pub fn espeak_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("espeak-ng")).find(|p| p.is_file())
}

/// Renders `transcript` (offsets from the answer) to a WAV at least `total_ms` long. Runs the
/// processes on a blocking thread.
pub async fn render(transcript: &[TranscriptSegment], total_ms: i64) -> Result<Wav, RenderError> {
    let Some(program) = espeak_path() else { return Err(RenderError::NotInstalled) };
    let segments = transcript.to_vec();
    tokio::task::spawn_blocking(move || render_with(&program, &segments, total_ms))
        .await
        .map_err(|e| RenderError::Failed(format!("the renderer stopped: {e}")))?
}

fn render_with(program: &std::path::Path, transcript: &[TranscriptSegment], total_ms: i64) -> Result<Wav, RenderError> {
    let mut mix: Vec<i32> = vec![0; samples_for(total_ms.clamp(0, MAX_MS))];
    for seg in transcript {
        let text: String = seg.text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        if text.trim().is_empty() {
            continue;
        }
        let voice = if seg.role == Speaker::Agent { AGENT_VOICE } else { CALLER_VOICE };
        let wav = speak(program, voice, text.trim())?;
        let (rate, pcm) = parse_wav(&wav).map_err(RenderError::Failed)?;
        let pcm = resample(&pcm, rate, SAMPLE_RATE);
        let start = samples_for(seg.start_ms.clamp(0, MAX_MS));
        let end = (start + pcm.len()).min(samples_for(MAX_MS));
        if mix.len() < end {
            mix.resize(end, 0);
        }
        for (slot, s) in mix[start..end].iter_mut().zip(pcm) {
            *slot += s as i32;
        }
    }
    let pcm: Vec<i16> = mix.into_iter().map(|s| s.clamp(i16::MIN as i32, i16::MAX as i32) as i16).collect();
    let duration_ms = pcm.len() as i64 * 1000 / SAMPLE_RATE as i64;
    Ok(Wav { bytes: write_wav(&pcm, SAMPLE_RATE), duration_ms })
}

fn samples_for(ms: i64) -> usize {
    (ms.max(0) as u64 * SAMPLE_RATE as u64 / 1000) as usize
}

/// One utterance through espeak-ng: its WAV output.
fn speak(program: &std::path::Path, voice: &str, text: &str) -> Result<Vec<u8>, RenderError> {
    let mut child = Command::new(program)
        .args(["--stdout", "-v", voice, "-s", SPEED])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| if e.kind() == std::io::ErrorKind::NotFound { RenderError::NotInstalled } else { RenderError::Failed(format!("espeak-ng did not start: {e}")) })?;
    // Read its output on another thread (so a full pipe cannot stall it), then give it the text
    // and wait with a deadline.
    let mut stdout = child.stdout.take().ok_or_else(|| RenderError::Failed("espeak-ng has no output".into()))?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    if let Some(mut stdin) = child.stdin.take() {
        // Dropping stdin at the end of this block ends espeak-ng's input.
        if let Err(e) = stdin.write_all(text.as_bytes()) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RenderError::Failed(format!("espeak-ng did not take the text: {e}")));
        }
    }
    let deadline = Instant::now() + RENDER_DEADLINE;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::Failed("espeak-ng took too long".into()));
            }
            Err(e) => return Err(RenderError::Failed(format!("espeak-ng: {e}"))),
        }
    };
    let out = reader
        .join()
        .map_err(|_| RenderError::Failed("reading espeak-ng's output failed".into()))?
        .map_err(|e| RenderError::Failed(format!("reading espeak-ng's output: {e}")))?;
    if !status.success() {
        return Err(RenderError::Failed(format!("espeak-ng exited with {status}")));
    }
    Ok(out)
}

/// The sample rate and samples of a mono 16-bit PCM WAV. espeak-ng writes to a pipe, so its
/// header's sizes are placeholders: the data chunk runs to the end of the input.
fn parse_wav(b: &[u8]) -> Result<(u32, Vec<i16>), String> {
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return Err("espeak-ng did not produce a WAV".into());
    }
    let mut at = 12;
    let mut rate = None;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = u32::from_le_bytes([b[at + 4], b[at + 5], b[at + 6], b[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " {
            if body + 16 > b.len() {
                return Err("short WAV format chunk".into());
            }
            let format = u16::from_le_bytes([b[body], b[body + 1]]);
            let channels = u16::from_le_bytes([b[body + 2], b[body + 3]]);
            let bits = u16::from_le_bytes([b[body + 14], b[body + 15]]);
            if format != 1 || channels != 1 || bits != 16 {
                return Err(format!("unexpected WAV format (format {format}, {channels} channels, {bits} bits)"));
            }
            rate = Some(u32::from_le_bytes([b[body + 4], b[body + 5], b[body + 6], b[body + 7]]));
        } else if id == b"data" {
            let rate = rate.ok_or("WAV data before its format")?;
            let end = body.saturating_add(size).min(b.len());
            let pcm = b[body..end].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
            return Ok((rate, pcm));
        }
        at = body.saturating_add(size + (size & 1));
    }
    Err("WAV without data".into())
}

/// Down- (or up-) samples by averaging the input samples each output sample covers (a box filter,
/// enough against aliasing for speech at telephone quality).
fn resample(pcm: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to || pcm.is_empty() || from == 0 {
        return pcm.to_vec();
    }
    let n = (pcm.len() as u64 * to as u64 / from as u64) as usize;
    (0..n)
        .map(|i| {
            let lo = (i as u64 * from as u64 / to as u64) as usize;
            let hi = (((i + 1) as u64 * from as u64 / to as u64) as usize).clamp(lo + 1, pcm.len());
            let lo = lo.min(hi - 1);
            let sum: i64 = pcm[lo..hi].iter().map(|s| *s as i64).sum();
            (sum / (hi - lo) as i64) as i16
        })
        .collect()
}

/// A mono 16-bit PCM WAV.
pub fn write_wav(pcm: &[i16], rate: u32) -> Vec<u8> {
    let data_len = (pcm.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + pcm.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes a second
    out.extend_from_slice(&2u16.to_le_bytes()); // bytes a frame
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in pcm {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trip_and_resampling() {
        let pcm: Vec<i16> = (0..22_050).map(|i| ((i % 100) as i16 - 50) * 100).collect();
        let wav = write_wav(&pcm, 22_050);
        assert_eq!(wav.len(), 44 + pcm.len() * 2);
        let (rate, back) = parse_wav(&wav).unwrap();
        assert_eq!((rate, back.len()), (22_050, pcm.len()));
        assert_eq!(back, pcm);
        let down = resample(&back, 22_050, 8_000);
        assert_eq!(down.len(), 8_000);
        assert!(down.iter().all(|s| (-5_000..=5_000).contains(s)));
        // A streamed header (placeholder sizes) still parses to the end of the input.
        let mut streamed = wav.clone();
        streamed[40..44].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        assert_eq!(parse_wav(&streamed).unwrap().1.len(), pcm.len());
        assert!(parse_wav(b"not a wav at all").is_err());
    }

    #[test]
    fn renders_both_voices_at_their_offsets_when_installed() {
        let Some(program) = espeak_path() else {
            eprintln!("espeak-ng is not installed: skipping the rendering test");
            return;
        };
        let t = vec![
            TranscriptSegment { role: Speaker::Agent, text: "Hello, this is Ava.".into(), start_ms: 300, end_ms: 1_500, confidence: None },
            TranscriptSegment { role: Speaker::User, text: "-v hi there".into(), start_ms: 2_000, end_ms: 3_000, confidence: None },
        ];
        let wav = render_with(&program, &t, 4_000).unwrap();
        assert!(wav.duration_ms >= 4_000, "{}", wav.duration_ms);
        let (rate, pcm) = parse_wav(&wav.bytes).unwrap();
        assert_eq!(rate, SAMPLE_RATE);
        // Silence before the first utterance, sound inside each.
        assert!(pcm[..samples_for(250)].iter().all(|s| *s == 0));
        let loud = |from: i64, to: i64| pcm[samples_for(from)..samples_for(to)].iter().any(|s| s.unsigned_abs() > 1_000);
        assert!(loud(300, 1_500) && loud(2_000, 3_000));
    }
}
