"""Fast frame sampling: decode keyframes only, downscaled at once, spread over the video.

Measured here (DESIGN.md): feeding only keyframe packets to a one-thread PyAV decoder is the
fastest way to see a whole video. Clips with too few keyframes (short phone clips often have
one) are decoded in order up to the last frame we want, keeping evenly spaced frames.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import av
import numpy as np

#: frames are scaled so their longer side is this many pixels
LONG_SIDE = 224
DEFAULT_FRAMES = 8
#: with at least this many keyframes, keyframes alone represent the video well enough
MIN_KEYFRAMES = 4


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
    fps: float = 0.0
    keyframes: int = 0


def _target_size(width: int, height: int) -> tuple[int, int]:
    scale = LONG_SIDE / max(width, height, 1)
    return max(16, round(width * scale) // 2 * 2), max(16, round(height * scale) // 2 * 2)


def _evenly(count: int, k: int) -> list[int]:
    if count <= k:
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, k)})


def sample_video(path: str, k: int = DEFAULT_FRAMES, time_limit: float = 60.0) -> Sample:
    """Up to ``k`` frames spread over the video at LONG_SIDE resolution."""
    deadline = time.monotonic() + time_limit
    try:
        container = av.open(path, mode="r", timeout=time_limit)
    except av.ExitError:  # FFmpeg's own timeout while opening (a stalled file or mount)
        raise SampleError(f"timed out after {time_limit:g} s while opening", True) from None
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        # OSError: the system refused (permissions, I/O), not the content
        raise SampleError(_reason(exc, "cannot open"), isinstance(exc, OSError)) from None
    try:
        if not container.streams.video:
            raise SampleError("no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        ctx.thread_count = 1
        ctx.thread_type = "NONE"
        width, height = ctx.width, ctx.height
        if not width or not height:
            raise SampleError("video stream has no picture size")
        size = _target_size(width, height)
        packets = []
        for packet in container.demux(stream):
            if packet.size:
                packets.append(packet)
            if time.monotonic() > deadline:
                raise SampleError(f"timed out after {time_limit:g} s", True)
        if not packets:
            raise SampleError("no video frames")
        key_positions = [i for i, p in enumerate(packets) if p.is_keyframe]
        sample = Sample(width=width, height=height, keyframes=len(key_positions))
        rate = float(stream.average_rate or 0) or 25.0
        sample.fps = rate
        sample.duration = (
            float(stream.duration * stream.time_base) if stream.duration else len(packets) / rate
        )
        if len(key_positions) >= min(k, MIN_KEYFRAMES):
            sample.frames = _decode_keyframes(ctx, packets, key_positions, k, size, deadline)
        else:
            sample.frames = _decode_in_order(ctx, packets, k, size, deadline)
        if not sample.frames:
            raise SampleError("no decodable frames")
        return sample
    except SampleError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise SampleError(_reason(exc, "decode error")) from None
    finally:
        container.close()


def _to_array(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    return frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()


def _decode_keyframes(ctx, packets, key_positions, k, size, deadline) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    frames: list[np.ndarray] = []
    for index in _evenly(len(key_positions), k):
        decoded = ctx.decode(packets[key_positions[index]])
        if not decoded:  # the decoder holds frames back for reordering: drain it
            decoded = ctx.decode(None)
            ctx.flush_buffers()
        if decoded:
            frames.append(_to_array(decoded[0], size))
        if time.monotonic() > deadline:
            raise SampleError("timed out while decoding", True)
    return frames


def _decode_in_order(ctx, packets, k, size, deadline) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    wanted = set(_evenly(len(packets), k))
    last = max(wanted)
    frames: list[np.ndarray] = []
    seen = 0
    for packet in [*packets[: last + 1 + 4], None]:  # a few more to get reordered frames out
        try:
            decoded = ctx.decode(packet)
        except av.FFmpegError:
            if frames:  # a truncated tail: keep what we have
                break
            raise
        for frame in decoded:
            if seen in wanted:
                frames.append(_to_array(frame, size))
            seen += 1
        if seen > last or time.monotonic() > deadline:
            break
    return frames


def _reason(exc: BaseException, prefix: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{prefix}: {text}"[:300]
