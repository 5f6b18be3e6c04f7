import NIOCore

extension Channel {
    /// Turns reading from this channel on or off; called on the channel's own event loop.
    func setAutoRead(_ enabled: Bool) {
        try? syncOptions?.setOption(ChannelOptions.autoRead, value: enabled)
    }
}
