// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "preview/images.hpp"

struct libdeflate_compressor;

namespace vr {

// Writes pictures as PNG files in memory, compressed with libdeflate; one
// encoder keeps its compressor and buffers from picture to picture.
// A picture of at most 256 colours becomes a palette image (1, 2, 4 or 8 bits
// a pixel, the colours in the order they first appear), any other 8-bit RGB;
// rows are unfiltered. The same picture always gives the same bytes (no time
// or text chunks), and decodes to exactly its pixels.
class png_encoder {
public:
    png_encoder();
    // The PNG file of the picture; throws record_error when its size does not
    // match its pixels, std::bad_alloc when memory runs out.
    std::vector<std::uint8_t> encode(const rgb_image& image);

private:
    struct compressor_freer {
        void operator()(libdeflate_compressor* c) const noexcept;
    };
    std::unique_ptr<libdeflate_compressor, compressor_freer> compressor_;
    std::vector<std::uint8_t> indices_;    // a palette picture's pixels
    std::vector<std::uint8_t> scanlines_;  // what IDAT compresses
    std::vector<std::uint8_t> packed_;     // and what it holds
};

// One picture encoded as by png_encoder::encode.
std::vector<std::uint8_t> encode_png(const rgb_image& image);

}  // namespace vr
