import Glibc

/// The account a server started as root runs as (`--user NAME`), and the steps there.
///
/// Files the server opens or creates at start-up (logs, the compile cache) are opened with the
/// account's effective ids already (``actAs()``), so that the account can reopen them on SIGHUP
/// and write to them later; the listeners are bound as root (``actAsRoot()``), so that a port
/// below 1024 works; then root is given up for good (``become()``), before any request is read.
/// Every thread of the process changes with it (glibc applies each id change to all threads).
struct ServerUser {
    /// The account's name.
    let name: String
    let uid: uid_t
    let gid: gid_t
    /// The account's home folder (where the default compile cache goes).
    let home: String

    /// Looks `name` up in the user database.
    init(name: String) throws(CGIServer.StartError) {
        guard let entry = getpwnam(name) else { throw .user("no such user: \(name)") }
        self.name = name
        uid = entry.pointee.pw_uid
        gid = entry.pointee.pw_gid
        home = String(cString: entry.pointee.pw_dir)
    }

    /// Takes the account's groups and its effective ids, keeping root as the saved user id.
    func actAs() throws(CGIServer.StartError) {
        guard geteuid() == 0 else { throw .user("--user \(name) needs the server to start as root") }
        try check(initgroups(name, gid), "set the groups of \(name)")
        try check(setegid(gid), "switch to the group of \(name)")
        try check(seteuid(uid), "switch to \(name)")
    }

    /// Takes root's effective ids back (possible while root is the saved user id).
    func actAsRoot() throws(CGIServer.StartError) {
        try check(seteuid(0), "switch back to root to listen")
        try check(setegid(0), "switch back to root's group to listen")
    }

    /// Gives root up for good: real, effective and saved ids all become the account's.
    func become() throws(CGIServer.StartError) {
        try check(setgid(gid), "switch to the group of \(name)")
        try check(setuid(uid), "switch to \(name)")
        guard uid == 0 || setuid(0) != 0 else { throw .user("root could be taken back after switching to \(name)") }
    }

    private func check(_ result: Int32, _ action: String) throws(CGIServer.StartError) {
        guard result == 0 else { throw .user("cannot \(action): \(String(cString: strerror(errno)))") }
    }
}
