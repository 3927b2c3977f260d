# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hsvc_global_optspecs
    string join \n s/server= resolv-conf= tcp timeout= attempts= edns-size= cluster-domain= ndots= search-domain= 4/ipv4 6/ipv6 n/namespace= o/output= no-headers color= v/verbose kubeconfig= context= api-url= dns-service= h/help V/version
end

function __fish_hsvc_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hsvc_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hsvc_using_subcommand
    set -l cmd (__fish_hsvc_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hsvc -n "__fish_hsvc_needs_command" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_needs_command" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_needs_command" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_needs_command" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_needs_command" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_needs_command" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_needs_command" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_needs_command" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_needs_command" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_needs_command" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_needs_command" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "resolve" -d 'Resolve a Service (or pod, SRV name, IP) into its pods'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "pick" -d 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "check" -d 'Probe every pod behind a Service: which ones answer?'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "diff" -d 'Compare the pods of names, namespaces or DNS servers'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "watch" -d 'Re-resolve names and report pods as they come and go'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "ls" -d 'List the headless Services of a namespace (-n) or of every one (-A), from the Kubernetes API'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "verify" -d 'Check cluster DNS against the Kubernetes API: is every pod that should be in DNS there, and nothing else?'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "demo" -d 'An embedded cluster DNS and a guided tour of every command'
complete -c hsvc -n "__fish_hsvc_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l resolver -d 'Search rules to replay with --search' -r -f -a "glibc\t'glibc 2.36 (Debian 12, distroless and most glibc images)'
musl\t'musl 1.2.4 and later (Alpine 3.18 and later); checked against 1.2.5'
musl-1.2.3\t'musl 1.2.3 (Alpine 3.16 and 3.17)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l localdomain -d 'The pod\'s LOCALDOMAIN (glibc): replaces the search list of resolv.conf [default: $LOCALDOMAIN when replaying /etc/resolv.conf]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l res-options -d 'The pod\'s RES_OPTIONS (glibc): options applied after resolv.conf\'s [default: $RES_OPTIONS when replaying /etc/resolv.conf]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l port-name -d 'Also ask _NAME._PROTO.SVC… to label the ports with their name and protocol' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l protocol -d 'Protocol of --port-name' -r -f -a "tcp\t''
udp\t''
sctp\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l source -d 'Read the pods from cluster DNS or from the Kubernetes API' -r -f -a "dns\t'Cluster DNS'
api\t'The Kubernetes API: the Service\'s EndpointSlices, with conditions, pods, nodes, zones and named ports'"
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l search -d 'Walk the resolv.conf search list with its ndots as a pod\'s resolver would, asking each candidate (A+AAAA), and stop where it stops'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l explain -d 'List every query sent: name, type, server, transport, rcode, answers, latency'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -l all-replicas -d 'Ask every server on its own (with `--server kube`: every CoreDNS replica) and print each answer, instead of the first healthy one'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand resolve" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l source -d 'Read the pods from cluster DNS, or from the Kubernetes API: the endpoints CoreDNS should publish (ready, or ready unset), with the named ports of the EndpointSlices' -r -f -a "dns\t'Cluster DNS'
api\t'The Kubernetes API: the Service\'s EndpointSlices, with conditions, pods, nodes, zones and named ports'"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l policy -d 'Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin]' -r -f -a "round-robin\t'Canonical order from --offset, wrapping; weights ignored'
weighted\t'nginx smooth weighted round-robin (weights {5,1,1} → a a b a c a a)'
random\t'Weighted random draws, reproducible with --seed'
hash\t'Weighted rendezvous hashing of the key (default when a key is given)'
maglev\t'Maglev table lookup of the key (O(1); --table-size)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s k -l key -d 'A request key (hash, maglev) or a request (sequence policies); repeatable' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l keys-from -d 'Read keys from FILE (`-` for stdin), one per line, printing each pick as it goes' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s c -l count -d 'Number of picks of a sequence policy when no key is given [default: 1]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l offset -d 'Start position of round-robin and weighted (picks already made)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l seed -d 'Seed of the random policy and of the keys --simulate samples [default: 0]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l weight -d 'Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l identity -d 'What identifies an endpoint: its hostname when it has one (auto), its IP, or its hostname' -r -f -a "auto\t'The pod hostname when DNS gives one that is not the dashed IP, else the IP'
ip\t'Always the IP address'
hostname\t'Always the SRV target\'s first label (the dashed IP for pods without hostname)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s p -l port -d 'Port printed with each pick [default: the Service\'s only SRV port]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l port-name -d 'Print the port with this name (asks _NAME._PROTO.SVC…)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l protocol -d 'Protocol of --port-name' -r -f -a "tcp\t''
udp\t''
sctp\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l table-size -d 'Maglev table size, a prime (at least the number of endpoints)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l simulate -d 'Report the distribution of N picks (sampled keys for hash policies) instead of picks' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -l allow-cluster-ip -d 'Go on even when NAME is a ClusterIP Service (DNS then gives kube-proxy\'s virtual IP, not pods: there is nothing to balance over)'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s w -l follow -l watch -d 'With --keys-from: keep running, re-resolve at the TTL in the background and apply set changes between keys (`-w`/`--watch` as in kubectl)'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand pick" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l source -d 'Read the pods from cluster DNS, or from the Kubernetes API: the endpoints CoreDNS should publish (ready, or ready unset), with the named ports of the EndpointSlices' -r -f -a "dns\t'Cluster DNS'
api\t'The Kubernetes API: the Service\'s EndpointSlices, with conditions, pods, nodes, zones and named ports'"
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s p -l port -d 'Port to probe on every pod [default: every port from SRV]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l port-name -d 'Probe only the Service port with this name (asks _NAME._tcp.SVC…)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l http -d 'Send `GET PATH HTTP/1.1` and judge the status instead of a bare TCP connect' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l expect -d 'Healthy HTTP statuses with --http: classes, codes and ranges, e.g. 2xx,301 or 200-399' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s j -l concurrency -d 'Probes in flight at once (`-j` as make\'s jobs: `-c` is a count everywhere)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l connect-timeout -d 'Time to wait for each TCP connect, e.g. 1s, 300ms' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l http-timeout -d 'Time for each whole HTTP exchange (connect included) with --http' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l repeat -d 'Rounds to run; after the first, only state changes are reported' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l interval -d 'Pause between the starts of two rounds with --repeat' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l min-healthy -d 'Healthy targets needed for exit 0: a count N or a share P% [default: 100%]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -l allow-cluster-ip -d 'Go on even when NAME is a ClusterIP Service (DNS then gives kube-proxy\'s virtual IP, not pods: there is nothing to balance over)'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand check" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l by -d 'What makes two endpoints the same one' -r -f -a "ip\t'The IP address'
hostname\t'The pod hostname (StatefulSet), else the IP: a pod on a new IP is a change'
endpoint\t'IP, hostname and ports together: only TTL differences remain changes'"
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -l ignore-ttl -d 'Do not report TTL differences (e.g. behind a cache)'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand diff" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l interval -d 'Time between resolutions of a source [default: the answer\'s TTL, at least 1s; 5s without one]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s c -l count -d 'Stop after N resolutions of every source' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l duration -d 'Stop after this long, e.g. 90s, 1h' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l by -d 'What makes two endpoints the same one' -r -f -a "ip\t'The IP address'
hostname\t'The pod hostname (StatefulSet), else the IP: a pod on a new IP is a change'
endpoint\t'IP, hostname and ports together: only TTL differences remain changes'"
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l source -d 'Watch cluster DNS (polled at the TTL), the Kubernetes API (a real watch: list, then events), or both on one timeline: every DNS server polled (each --interval, default 1s) with how long after the API change it answered what the API says it should (the propagation lag)' -r -f -a "dns\t'Cluster DNS, each server on its own'
api\t'The Kubernetes API\'s EndpointSlices, through a watch'
both\t'The API watch and every DNS server, with the propagation lag of each'"
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -l ignore-ttl -d 'Do not report TTL changes (e.g. behind a cache that counts down)'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand watch" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s A -l all-namespaces -d 'Every namespace (a ClusterRole must allow listing Services and EndpointSlices)'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand ls" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand verify" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand completions" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s s -l server -d 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l resolv-conf -d 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l timeout -d 'Time to wait for each try, e.g. 500ms, 2s' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l attempts -d 'Tries per server before giving up' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l edns-size -d 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l cluster-domain -d 'Cluster domain [default: from the resolv.conf search list, else cluster.local]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l ndots -d 'The pod\'s ndots: replaces resolv.conf\'s `options ndots:N` (0..=15)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l search-domain -d 'A domain of the pod\'s search list, in order; repeatable. Replaces resolv.conf\'s `search` line, e.g. `--search-domain default.svc.cluster.local --search-domain svc.cluster.local --search-domain cluster.local`' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s n -l namespace -d 'Namespace of short names [default: from the resolv.conf search list, else default]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s o -l output -d 'Output format' -r -f -a "table\t'Aligned columns for people'
wide\t'The table with more columns'
plain\t'One item per line, for `$(…)` and pipes (like `dig +short`)'
json\t'One JSON document'
jsonl\t'One JSON object per line (streaming commands)'
yaml\t'The JSON document as YAML (streaming commands: one YAML document per line of jsonl)'"
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l kubeconfig -d 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod\'s service account]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l context -d 'kubeconfig context to use [default: its current-context]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l api-url -d 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`\'s http://127.0.0.1:8001 (no credentials are sent)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l dns-service -d 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l color -d 'When to use colour (NO_COLOR in the environment turns `auto` off)' -r -f -a "auto\t'Colour on a terminal (not TERM=dumb), unless NO_COLOR is set; CLICOLOR_FORCE forces it'
always\t''
never\t''"
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l listen -d 'Address of the cluster DNS (UDP and TCP), answering as the kube-dns Service would; each CoreDNS replica listens on the same port at its pod address (127.244.0.2, 127.244.0.3)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l api-port -d 'Port of the Kubernetes API (HTTPS with a bearer token, at the address of --listen; the written kubeconfig points at it)' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l proxy-port -d 'Port of the plain-HTTP API, as `kubectl proxy` would serve it' -r
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l dir -d 'Folder for the kubeconfig and a pod\'s resolv.conf that --serve writes (and removes when it stops) [default: TMPDIR/hsvc-demo]' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l zone -d 'Serve this RFC 1035 zone file (or several zones, each with its $ORIGIN and SOA) instead of the example cluster; implies --serve' -r -F
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l tcp -d 'Use TCP only (what `kubectl port-forward` carries)'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s 4 -l ipv4 -d 'Keep IPv4 addresses only (A records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s 6 -l ipv6 -d 'Keep IPv6 addresses only (AAAA records), in answers and in pick/check targets'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l no-headers -d 'Print tables without their header line (as kubectl\'s --no-headers)'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s v -l verbose -d 'Diagnostics on stderr: -v settings and every query, -vv every try'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -l serve -d 'Only serve (until Ctrl-C)'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hsvc -n "__fish_hsvc_using_subcommand demo" -s V -l version -d 'Print version'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "resolve" -d 'Resolve a Service (or pod, SRV name, IP) into its pods'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "pick" -d 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "check" -d 'Probe every pod behind a Service: which ones answer?'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "diff" -d 'Compare the pods of names, namespaces or DNS servers'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "watch" -d 'Re-resolve names and report pods as they come and go'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "ls" -d 'List the headless Services of a namespace (-n) or of every one (-A), from the Kubernetes API'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "verify" -d 'Check cluster DNS against the Kubernetes API: is every pod that should be in DNS there, and nothing else?'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "demo" -d 'An embedded cluster DNS and a guided tour of every command'
complete -c hsvc -n "__fish_hsvc_using_subcommand help; and not __fish_seen_subcommand_from resolve pick check diff watch ls verify completions demo help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
