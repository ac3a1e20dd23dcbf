"""Fast frame sampling: decode keyframes only, downscaled at once, spread over the video.

Measured here (bench/extract_speed.py; ARCHITECTURE.md, "A retrain"): feeding only keyframe
packets to a one-thread PyAV decoder is the fastest way to see a whole video. Clips with too
few keyframes (short phone clips often have one) are decoded in order up to the last frame
we want, keeping evenly spaced frames.

Memory is bounded by streaming: a first pass over the packets keeps only the keyframes'
ordinal numbers and a count, a second pass decodes the chosen packets as they go by. Nothing
holds a whole file's packets or frames (a 30-minute 1000-fps clip has 1.8 million packets).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

import av
import numpy as np
from av.container import InputContainer
from av.video.stream import VideoStream

#: frames are scaled so their shorter side is this many pixels: a centred square crop is then
#: exactly the content embedder's input (pipeline.features.embedder.CROP), and the classical
#: descriptor scales down from it
SHORT_SIDE = 260
DEFAULT_FRAMES = 8
#: with at least this many keyframes, keyframes alone represent the video well enough
MIN_KEYFRAMES = 4
#: decoding in order skips B-frames once a clip has this many times more frames than wanted
SKIP_NONREF_FROM = 4


class SampleError(Exception):
    """The video cannot be sampled; the message is the skip reason users see.

    ``transient``: the file may be fine (a time limit hit under load, permission denied,
    an I/O error), so the skip is not cached and the next run tries again.
    """

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class Sample:
    frames: list[np.ndarray] = field(default_factory=list)  # RGB uint8, H x W x 3
    width: int = 0
    height: int = 0
    duration: float = 0.0
    keyframes: int = 0


def _target_size(width: int, height: int) -> tuple[int, int]:
    scale = SHORT_SIDE / max(min(width, height), 1)
    return max(16, round(width * scale) // 2 * 2), max(16, round(height * scale) // 2 * 2)


def _evenly(count: int, k: int) -> list[int]:
    if count <= k:
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, k)})


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.limit, self.deadline = seconds, time.monotonic() + seconds

    def check(self, doing: str = "") -> None:
        if time.monotonic() > self.deadline:
            raise SampleError(f"timed out after {self.limit:g} s{doing}", True)


def sample_video(path: str, k: int = DEFAULT_FRAMES, time_limit: float = 60.0) -> Sample:
    """Up to ``k`` frames spread over the video, scaled to SHORT_SIDE."""
    clock = _Clock(time_limit)
    scan = _open(path, time_limit)
    try:
        stream = _video_stream(scan)
        width, height = stream.codec_context.width, stream.codec_context.height
        count, keys = 0, array("q")  # packet count; ordinals of keyframe packets
        first = last = None  # presentation time range (None if any packet lacks one)
        timed = True
        for packet in scan.demux(stream):
            if packet.size:
                if packet.is_keyframe:
                    keys.append(count)
                count += 1
                if packet.pts is None:
                    timed = False
                elif timed:
                    first = packet.pts if first is None else min(first, packet.pts)
                    last = packet.pts if last is None else max(last, packet.pts)
                if count % 4096 == 0:
                    clock.check()
        rate = float(stream.average_rate or 0) or 25.0
        duration = (
            float(stream.duration * stream.time_base)
            if stream.duration and stream.time_base is not None  # PyAV: Fraction | None
            else count / rate
        )
    except SampleError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise SampleError(_reason(exc, "decode error")) from None
    finally:
        scan.close()
    if not count:
        raise SampleError("no video frames")
    sample = Sample(width=width, height=height, duration=duration, keyframes=len(keys))
    size = _target_size(width, height)
    if len(keys) >= min(k, MIN_KEYFRAMES):
        wanted = {keys[i] for i in _evenly(len(keys), k)}
        sample.frames = _decode_keyframes(path, wanted, size, clock)
    else:
        if timed and first is not None and last is not None and count > k:
            by_time, lo, hi = True, first, last
        else:  # every frame, by ordinal
            by_time, lo, hi = False, 0, count - 1
        targets = [lo + (i + 0.5) * (hi - lo) / k for i in range(k)] if by_time else []
        targets = targets or [float(i) for i in range(count)]
        skip = by_time and count > SKIP_NONREF_FROM * k  # short clips: every frame may count
        sample.frames = _decode_in_order(path, targets, size, clock, by_time, skip)
    if not sample.frames:
        raise SampleError("no decodable frames")
    return sample


INVALID_DATA = (
    "cannot open as a video: FFmpeg finds invalid data in it "
    "(damaged, partly copied, or not a video at all)"
)


def _open(path: str, time_limit: float) -> InputContainer:
    try:
        return av.open(path, mode="r", timeout=time_limit)
    except av.ExitError:  # FFmpeg's own timeout while opening (a stalled file or mount)
        raise SampleError(f"timed out after {time_limit:g} s while opening", True) from None
    except av.InvalidDataError:  # said without FFmpeg's error number, which means nothing
        raise SampleError(INVALID_DATA, False) from None
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        # OSError: the system refused (permissions, I/O), not the content
        raise SampleError(_reason(exc, "cannot open"), isinstance(exc, OSError)) from None


def _video_stream(container: InputContainer) -> VideoStream:
    if not container.streams.video:
        raise SampleError("no video stream")
    stream = container.streams.video[0]
    ctx = stream.codec_context
    ctx.thread_count = 1
    ctx.thread_type = "NONE"
    if not ctx.width or not ctx.height:
        raise SampleError("video stream has no picture size")
    return stream


@contextlib.contextmanager
def _second_pass(path: str, clock: _Clock) -> Iterator[tuple[InputContainer, VideoStream]]:
    """(container, video stream) for decoding; decoder errors become skip reasons."""
    container = _open(path, clock.limit)
    try:
        yield container, _video_stream(container)
    except SampleError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise SampleError(_reason(exc, "decode error")) from None
    finally:
        container.close()


def _decode_keyframes(
    path: str, wanted: set[int], size: tuple[int, int], clock: _Clock
) -> list[np.ndarray]:
    """Each wanted keyframe packet (by ordinal) decoded by itself as the packets stream by."""
    frames: list[np.ndarray] = []
    last = max(wanted)
    with _second_pass(path, clock) as (container, stream):
        ctx = stream.codec_context
        ordinal = -1
        for packet in container.demux(stream):
            if not packet.size:
                continue
            ordinal += 1
            if ordinal in wanted:
                decoded = ctx.decode(packet) or ctx.decode(None)  # drain a reordering decoder
                ctx.flush_buffers()
                if decoded:
                    frames.append(_to_array(decoded[0], size))
                clock.check(" while decoding")
            if ordinal >= last:
                break
    return frames


def _decode_in_order(
    path: str,
    targets: list[float],
    size: tuple[int, int],
    clock: _Clock,
    by_time: bool,
    skip_nonref: bool,
) -> list[np.ndarray]:
    """The first frame at or past each target, decoding in order up to the last target.

    Positions are presentation timestamps (or output ordinals when the file lacks them).
    With ``skip_nonref``, frames nothing refers to (B-frames) are not decoded at all: about
    half the work on H.264 from encoders' defaults. A truncated tail keeps what came before.
    """
    frames: list[np.ndarray] = []
    with _second_pass(path, clock) as (container, stream):
        ctx = stream.codec_context
        if skip_nonref:
            ctx.skip_frame = "NONREF"
        seen = 0
        packets = itertools.chain(container.demux(stream), [None])
        for number, packet in enumerate(packets, start=1):
            if packet is not None and not packet.size:
                continue
            try:
                decoded = ctx.decode(packet)
            except av.FFmpegError:
                if frames:
                    break
                raise
            for frame in decoded:
                position = frame.pts if by_time and frame.pts is not None else seen
                seen += 1
                if len(frames) < len(targets) and position >= targets[len(frames)]:
                    frames.append(_to_array(frame, size))
                    while len(frames) < len(targets) and targets[len(frames)] <= position:
                        targets = targets[: len(frames)] + targets[len(frames) + 1 :]
            if len(frames) >= len(targets):
                break
            if number % 32 == 0:  # by packets: a decoder that outputs nothing is timed too
                clock.check(" while decoding")
    return frames


def _to_array(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    return frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()


def _reason(exc: BaseException, prefix: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{prefix}: {text}"[:300]
