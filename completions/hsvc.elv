
use builtin;
use str;

set edit:completion:arg-completer[hsvc] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hsvc'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hsvc'= {
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand resolve 'Resolve a Service (or pod, SRV name, IP) into its pods'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand pick 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)'
            cand check 'Probe every pod behind a Service: which ones answer?'
            cand diff 'Compare the pods of names, namespaces or DNS servers'
            cand watch 'Re-resolve names and report pods as they come and go'
            cand demo 'An embedded cluster DNS and a guided tour of every command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hsvc;resolve'= {
            cand --resolver 'Search rules to replay with --search'
            cand --localdomain 'The pod''s LOCALDOMAIN (glibc): replaces the search list of resolv.conf [default: $LOCALDOMAIN when replaying /etc/resolv.conf]'
            cand --res-options 'The pod''s RES_OPTIONS (glibc): options applied after resolv.conf''s [default: $RES_OPTIONS when replaying /etc/resolv.conf]'
            cand --port-name 'Also ask _NAME._PROTO.SVC… to label the ports with their name and protocol'
            cand --protocol 'Protocol of --port-name'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --search 'Walk the resolv.conf search list with its ndots as a pod''s resolver would, asking each candidate (A+AAAA), and stop where it stops'
            cand --explain 'List every query sent: name, type, server, transport, rcode, answers, latency'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;completions'= {
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;pick'= {
            cand -p 'Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin]'
            cand --policy 'Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin]'
            cand -k 'A request key (hash, maglev) or a request (sequence policies); repeatable'
            cand --key 'A request key (hash, maglev) or a request (sequence policies); repeatable'
            cand --keys-from 'Read keys from FILE (`-` for stdin), one per line, printing each pick as it goes'
            cand -c 'Number of picks of a sequence policy when no key is given [default: 1]'
            cand --count 'Number of picks of a sequence policy when no key is given [default: 1]'
            cand --offset 'Start position of round-robin and weighted (picks already made)'
            cand --seed 'Seed of the random policy and of the keys --simulate samples [default: 0]'
            cand -w 'Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1'
            cand --weight 'Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1'
            cand --identity 'What identifies an endpoint: its hostname when it has one (auto), its IP, or its hostname'
            cand --port 'Port printed with each pick [default: the Service''s only SRV port]'
            cand --port-name 'Print the port with this name (asks _NAME._PROTO.SVC…)'
            cand --protocol 'Protocol of --port-name'
            cand --table-size 'Maglev table size, a prime (at least the number of endpoints)'
            cand --simulate 'Report the distribution of N picks (sampled keys for hash policies) instead of picks'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --follow 'With --keys-from: keep running, re-resolve at the TTL in the background and apply set changes between keys'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;check'= {
            cand -p 'Port to probe on every pod [default: every port from SRV]'
            cand --port 'Port to probe on every pod [default: every port from SRV]'
            cand --port-name 'Probe only the Service port with this name (asks _NAME._tcp.SVC…)'
            cand --http 'Send `GET PATH HTTP/1.1` and judge the status instead of a bare TCP connect'
            cand --expect 'Healthy HTTP statuses with --http: classes, codes and ranges, e.g. 2xx,301 or 200-399'
            cand -c 'Probes in flight at once'
            cand --concurrency 'Probes in flight at once'
            cand --connect-timeout 'Time to wait for each TCP connect, e.g. 1s, 300ms'
            cand --http-timeout 'Time for each whole HTTP exchange (connect included) with --http'
            cand --repeat 'Rounds to run; after the first, only state changes are reported'
            cand --interval 'Pause between the starts of two rounds with --repeat'
            cand --min-healthy 'Healthy targets needed for exit 0: a count N or a share P% [default: 100%]'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;diff'= {
            cand --by 'What makes two endpoints the same one'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --ignore-ttl 'Do not report TTL differences (e.g. behind a cache)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;watch'= {
            cand --interval 'Time between resolutions of a source [default: the answer''s TTL, at least 1s; 5s without one]'
            cand -c 'Stop after N resolutions of every source'
            cand --count 'Stop after N resolutions of every source'
            cand --duration 'Stop after this long, e.g. 90s, 1h'
            cand --by 'What makes two endpoints the same one'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --ignore-ttl 'Do not report TTL changes (e.g. behind a cache that counts down)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;demo'= {
            cand --listen 'Address to serve on (UDP and TCP)'
            cand --zone 'Serve this RFC 1035 zone file (or several zones, each with its $ORIGIN and SOA) instead of the example cluster; implies --serve'
            cand -s 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --server 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable'
            cand --resolv-conf 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]'
            cand --timeout 'Time to wait for each try, e.g. 500ms, 2s'
            cand --attempts 'Tries per server before giving up'
            cand --edns-size 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)'
            cand --cluster-domain 'Cluster domain [default: from the resolv.conf search list, else cluster.local]'
            cand -n 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand --namespace 'Namespace of short names [default: from the resolv.conf search list, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to use colour (NO_COLOR in the environment turns `auto` off)'
            cand --serve 'Only serve (until Ctrl-C)'
            cand --tcp 'Use TCP only (what `kubectl port-forward` carries)'
            cand -v 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand --verbose 'Diagnostics on stderr: -v settings and every query, -vv every try'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hsvc;help'= {
            cand resolve 'Resolve a Service (or pod, SRV name, IP) into its pods'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand pick 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)'
            cand check 'Probe every pod behind a Service: which ones answer?'
            cand diff 'Compare the pods of names, namespaces or DNS servers'
            cand watch 'Re-resolve names and report pods as they come and go'
            cand demo 'An embedded cluster DNS and a guided tour of every command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hsvc;help;resolve'= {
        }
        &'hsvc;help;completions'= {
        }
        &'hsvc;help;pick'= {
        }
        &'hsvc;help;check'= {
        }
        &'hsvc;help;diff'= {
        }
        &'hsvc;help;watch'= {
        }
        &'hsvc;help;demo'= {
        }
        &'hsvc;help;help'= {
        }
    ]
    $completions[$command]
}
