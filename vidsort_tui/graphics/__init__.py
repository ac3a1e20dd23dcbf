"""Terminal graphics for the video pane, without Textual: what the terminal can show
(detect), the Kitty and Sixel encoders, and the encoder thread that keeps only the newest
frame (pump). vidsort_tui.tui.graphics_layer puts them on screen inside Textual."""
