// SPDX-License-Identifier: GPL-3.0-or-later
// Stands in for JUCE's PNG and JPEG loaders in the Windows build (no header
// of its own: lib/windows/windows.mk compiles it in their place). Debian's
// JUCE takes both codecs from the system's libpng and libjpeg, of which
// Debian has no mingw build; the Windows worker and the Windows test plugins
// draw no images, so the two formats are known by name and decode nothing.
// Included by juce_graphics.cpp where the PNG loader was.

namespace juce {

PNGImageFormat::PNGImageFormat() {}
PNGImageFormat::~PNGImageFormat() {}
String PNGImageFormat::getFormatName() { return "PNG"; }
bool PNGImageFormat::usesFileExtension(const File& f) { return f.hasFileExtension("png"); }
bool PNGImageFormat::canUnderstand(InputStream&) { return false; }
Image PNGImageFormat::decodeImage(InputStream&) { return {}; }
bool PNGImageFormat::writeImageToStream(const Image&, OutputStream&) { return false; }

JPEGImageFormat::JPEGImageFormat() : quality(-1.0f) {}
JPEGImageFormat::~JPEGImageFormat() {}
void JPEGImageFormat::setQuality(const float newQuality) { quality = newQuality; }
String JPEGImageFormat::getFormatName() { return "JPEG"; }
bool JPEGImageFormat::usesFileExtension(const File& f) { return f.hasFileExtension("jpeg;jpg"); }
bool JPEGImageFormat::canUnderstand(InputStream&) { return false; }
Image JPEGImageFormat::decodeImage(InputStream&) { return {}; }
bool JPEGImageFormat::writeImageToStream(const Image&, OutputStream&) { return false; }

}  // namespace juce
