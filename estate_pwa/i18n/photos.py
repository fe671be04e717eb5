"""The photos kit: taking photos, thumbnails and the full-size view."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    "photos.add": Text("拍照/选择照片", "Take or choose photos"),
    "photos.camera": Text("拍照", "Photos"),
    "photos.open": Text("查看大图", "Open full size"),
    "photos.full": Text("照片", "Photo"),
    "photos.close": Text("关闭", "Close"),
    "photos.thumbnail": Text("照片缩略图", "Photo thumbnail"),
}
