{
  "targets": [
    {
      "target_name": "floatip_net",
      "sources": [
        "agent/native/floatip_net.c",
        "agent/native/net_socket.c",
        "agent/native/vrrp_sockets.c",
        "agent/native/packet_sockets.c",
        "agent/native/farewell.c",
        "agent/native/precise_timer.c",
        "agent/native/link_trigger.c"
      ],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
