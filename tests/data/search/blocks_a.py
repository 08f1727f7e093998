"""Hand-written building blocks of the search test set, part 1 (four themes).

Each practice: key, title, what was done (action), what was learnt (lessons). Context and
results come from the theme's pools in `corpus.py`, with a territory.
"""

from __future__ import annotations

Practice = tuple[str, str, str, str]

RENOUVELLEMENT: list[Practice] = [
    (
        "ru-relogement",
        "Accompagner le relogement des familles avant une démolition",
        "Une chargée de relogement reçoit chaque ménage trois fois avant la démolition de la "
        "barre ; un tableau partagé avec le bailleur suit les souhaits, les refus et les "
        "propositions de logement.",
        "Le relogement se prépare deux ans avant les pelleteuses ; les familles veulent un "
        "interlocuteur unique, pas cinq.",
    ),
    (
        "ru-maison-projet",
        "Ouvrir une maison du projet dans un local en pied d'immeuble",
        "Un ancien commerce vacant devient la maison du projet : maquette du futur quartier, "
        "permanences de l'équipe projet le mercredi, plans affichés et cahier de remarques.",
        "Un lieu physique ouvert tôt désamorce les rumeurs sur les démolitions ; la maquette "
        "parle mieux qu'un plan-masse.",
    ),
    (
        "ru-memoire",
        "Recueillir la mémoire des habitants d'une tour avant sa démolition",
        "Avec une compagnie de théâtre, des ateliers de récits de vie et des photographies "
        "des appartements ont été réalisés, puis exposés dans le hall le jour du dernier "
        "déménagement.",
        "Le deuil du logement existe ; lui donner une place apaise les tensions du chantier.",
    ),
    (
        "ru-chantier-insertion",
        "Réserver des heures de chantier aux habitants en insertion",
        "Les marchés de travaux de la convention de rénovation imposent 5 % des heures à des "
        "personnes éloignées de l'emploi ; le facilitateur des clauses repère les candidats "
        "avec la mission locale.",
        "Sans facilitateur, les entreprises paient la pénalité plutôt que d'embaucher.",
    ),
    (
        "ru-residentialisation",
        "Résidentialiser des halls sans enfermer la résidence",
        "Les grilles ont été dessinées avec les locataires lors de trois ateliers : accès "
        "par badge aux halls, mais passage public conservé vers l'école et le marché.",
        "Une clôture décidée sans les résidents est vécue comme un enfermement.",
    ),
    (
        "ru-commerces",
        "Maintenir les commerces de proximité pendant la restructuration du centre commercial",
        "Une halle provisoire a accueilli la boulangerie, la pharmacie et le tabac pendant "
        "les dix-huit mois de travaux, avec une signalétique et des loyers réduits.",
        "Perdre la pharmacie même six mois fait partir les clientes âgées pour de bon.",
    ),
    (
        "ru-espaces-publics",
        "Concevoir une place publique avec les enfants du quartier",
        "Les élèves de CM2 ont dessiné leurs usages de la future place avec le paysagiste ; "
        "un jeu d'eau et des bancs à l'ombre ont été retenus dans le projet urbain.",
        "Les enfants sont de très bons usagers experts de l'espace public.",
    ),
    (
        "ru-copropriete",
        "Redresser une copropriété dégradée en frange du quartier",
        "Un plan de sauvegarde a financé un syndic professionnel, un portage de lots par "
        "l'établissement public foncier et un accompagnement social des copropriétaires "
        "endettés.",
        "Le traitement des copropriétés se pense en même temps que celui du parc social.",
    ),
    (
        "ru-gestion-attente",
        "Gérer le quotidien d'une résidence en attente de démolition",
        "Tant que la barre reste habitée, le bailleur maintient le ménage, murre les "
        "logements vides et éclaire les coursives ; une réunion mensuelle fait le point avec "
        "les derniers locataires.",
        "Les derniers mois sont les plus durs : les logements vides attirent squats et trafic.",
    ),
    (
        "ru-equipement",
        "Implanter une médiathèque au cœur de l'opération de rénovation",
        "La démolition d'une barre a libéré une parcelle sur laquelle la ville a construit "
        "une médiathèque ouverte le dimanche, visible depuis l'avenue.",
        "Un équipement attractif change l'image du quartier plus vite que les façades.",
    ),
    (
        "ru-mixite",
        "Attirer des accédants à la propriété après la démolition",
        "Des logements en accession sociale à TVA réduite ont été commercialisés en priorité "
        "auprès des locataires du parc social et des salariés des entreprises voisines.",
        "La diversification de l'habitat prend dix ans ; les premiers acquéreurs sont souvent "
        "des enfants du quartier.",
    ),
    (
        "ru-concertation",
        "Faire vivre la concertation obligatoire du projet de renouvellement",
        "Au-delà des réunions publiques, des permanences dans les halls et des "
        "questionnaires porte-à-porte ont touché les familles qui ne viennent jamais en "
        "réunion.",
        "Aller chercher la parole là où elle est ; la réunion publique ne touche que les habitués.",
    ),
    (
        "ru-transport",
        "Désenclaver le quartier par une nouvelle ligne de bus",
        "Le tracé de la ligne a été modifié pour traverser le quartier rénové, avec un arrêt "
        "devant le pôle santé et un cadencement à dix minutes.",
        "La mobilité conditionne l'accès à l'emploi autant que la formation.",
    ),
]

EMPLOI: list[Practice] = [
    (
        "emp-job-dating",
        "Organiser un job dating au pied des immeubles",
        "Quinze employeurs de la logistique et du nettoyage ont recruté sous des barnums "
        "installés sur la place, sans CV, avec des entretiens de dix minutes.",
        "Venir là où vivent les candidats multiplie par trois la participation.",
    ),
    (
        "emp-neet",
        "Repérer les jeunes qui ne sont suivis par personne",
        "Des éducateurs et des animateurs sportifs ont été formés au repérage ; ils orientent "
        "les jeunes sans solution vers un référent unique de la mission locale.",
        "Le premier contact se fait sur le terrain de foot, pas au guichet.",
    ),
    (
        "emp-permis",
        "Financer le permis de conduire pour accéder à l'emploi",
        "Une auto-école sociale propose le code et la conduite à tarif réduit, financés par "
        "le département, pour des demandeurs d'emploi qui ont une promesse d'embauche.",
        "Le permis est souvent le premier frein à l'emploi dans les métiers en horaires décalés.",
    ),
    (
        "emp-garde-enfants",
        "Lever le frein de la garde d'enfants pour les mères en recherche d'emploi",
        "Une crèche à vocation d'insertion réserve des places aux mères qui reprennent une "
        "formation ; les horaires s'adaptent aux stages.",
        "Sans solution de garde, aucune formation ne tient plus de deux semaines.",
    ),
    (
        "emp-entreprises",
        "Mobiliser les entreprises du territoire pour des stages de troisième",
        "Un club d'entreprises s'est engagé à accueillir tous les collégiens de REP+ pour "
        "leur stage d'observation ; une plateforme met en relation élèves et employeurs.",
        "Le réseau des parents ne suffit pas : sans entreprise partenaire, les élèves "
        "finissent au supermarché du coin.",
    ),
    (
        "emp-creation",
        "Accompagner la création d'entreprise par des habitants",
        "Une couveuse d'activité propose un test de l'activité sous contrat d'appui, avec un "
        "accompagnement comptable et un micro-crédit.",
        "Beaucoup d'entrepreneurs des quartiers travaillent déjà de manière informelle ; "
        "l'enjeu est de sécuriser.",
    ),
    (
        "emp-iae",
        "Créer un chantier d'insertion d'entretien des espaces verts",
        "Douze salariés en parcours d'insertion entretiennent les espaces verts du bailleur "
        "et de la ville, avec un encadrant technique et une conseillère en insertion.",
        "Un support d'activité visible dans le quartier valorise les salariés auprès des voisins.",
    ),
    (
        "emp-langue",
        "Proposer des cours de français à visée professionnelle",
        "Des ateliers sociolinguistiques orientés vers les métiers du soin et de la "
        "restauration préparent l'entrée en formation qualifiante.",
        "Apprendre la langue par le vocabulaire du métier motive davantage.",
    ),
    (
        "emp-numerique",
        "Accompagner les démarches en ligne des demandeurs d'emploi",
        "Un conseiller numérique tient une permanence à la maison de l'emploi : inscription, "
        "actualisation, candidature en ligne, création d'une adresse mail.",
        "L'actualisation mensuelle oubliée est la première cause de radiation.",
    ),
    (
        "emp-seniors",
        "Remettre en emploi les plus de cinquante ans",
        "Un groupe de chercheurs d'emploi seniors se réunit chaque semaine avec une "
        "coach ; ils se présentent ensemble aux entreprises du bassin.",
        "Le collectif redonne confiance à des personnes qui n'osaient plus postuler.",
    ),
    (
        "emp-tzcld",
        "Créer une entreprise à but d'emploi pour les chômeurs de longue durée",
        "Le comité local pour l'emploi a recensé les travaux utiles non réalisés ; "
        "l'entreprise à but d'emploi embauche en CDI les personnes privées durablement "
        "d'emploi qui le souhaitent.",
        "Partir des compétences des personnes et des besoins non couverts, pas des offres.",
    ),
    (
        "emp-femmes",
        "Ouvrir les métiers du BTP aux femmes du quartier",
        "Une découverte des métiers du bâtiment sur plateau technique a été proposée à des "
        "femmes, avec des professionnelles venues témoigner.",
        "Les représentations tombent quand on manipule les outils soi-même.",
    ),
    (
        "emp-mobilite",
        "Aider la mobilité vers les zones d'activité mal desservies",
        "Une plateforme de mobilité prête des scooters et organise du covoiturage vers la "
        "zone logistique où les prises de poste commencent à cinq heures.",
        "Un emploi à 20 km sans transport en commun à l'aube est un emploi perdu.",
    ),
]

PREVENTION: list[Practice] = [
    (
        "prev-clspd",
        "Animer une cellule de veille du conseil local de sécurité",
        "Une cellule restreinte réunit chaque mois la police municipale, les éducateurs de "
        "prévention spécialisée, le bailleur et la principale du collège autour de "
        "situations nominatives, sous charte de confidentialité.",
        "La charte déontologique du partage d'informations est la condition de la "
        "confiance entre professionnels.",
    ),
    (
        "prev-rixes",
        "Prévenir les rixes entre bandes de quartiers voisins",
        "Après un affrontement, les éducateurs ont organisé des rencontres sportives puis un "
        "séjour commun aux jeunes des deux quartiers, avec l'appui des familles.",
        "La réponse éducative doit venir vite, dans les jours qui suivent l'incident.",
    ),
    (
        "prev-ete",
        "Occuper l'été des adolescents restés dans le quartier",
        "Un programme de soirées, de sorties à la mer et de chantiers jeunes rémunérés a "
        "été construit avec les adolescents eux-mêmes.",
        "Les jeunes qui ne partent pas en vacances sont ceux qu'on voit le moins dans les "
        "structures.",
    ),
    (
        "prev-trafic",
        "Reconquérir un hall occupé par le trafic de stupéfiants",
        "Le bailleur a réaménagé le hall, la police a mené des opérations répétées et les "
        "locataires ont réinvesti le lieu avec des cafés-rencontres hebdomadaires.",
        "Sans présence habitante durable après l'intervention policière, le point de deal revient.",
    ),
    (
        "prev-tig",
        "Accueillir des travaux d'intérêt général dans les services municipaux",
        "La ville a ouvert quinze postes de travail d'intérêt général dans les services "
        "techniques et les équipements sportifs, avec des tuteurs formés.",
        "Un tuteur disponible fait toute la différence dans l'exécution de la peine.",
    ),
    (
        "prev-violences-intrafamiliales",
        "Repérer les violences conjugales dans le quartier",
        "Une permanence d'une intervenante sociale au commissariat et des formations des "
        "gardiens d'immeuble au repérage des violences faites aux femmes ont été mises en "
        "place.",
        "Les gardiens entendent beaucoup ; ils doivent savoir vers qui orienter.",
    ),
    (
        "prev-radicalisation",
        "Former les professionnels à la prévention de la radicalisation",
        "Des sessions communes aux animateurs, aux enseignants et aux travailleurs sociaux "
        "ont présenté les signaux faibles et la cellule préfectorale.",
        "La formation commune crée un langage partagé et évite les signalements abusifs.",
    ),
    (
        "prev-parentalite",
        "Soutenir les parents d'adolescents en difficulté",
        "Un groupe de parole de parents animé par une psychologue et un éducateur se réunit "
        "le samedi matin au centre social.",
        "Les parents se sentent souvent jugés ; entre pairs, la parole se libère.",
    ),
    (
        "prev-eclairage",
        "Améliorer l'éclairage d'un passage jugé dangereux",
        "Une marche nocturne avec des habitantes a recensé les points noirs ; l'éclairage et "
        "l'élagage ont été revus sur le cheminement vers la gare.",
        "Le sentiment d'insécurité des femmes se traite aussi par l'aménagement.",
    ),
    (
        "prev-rodeos",
        "Répondre aux rodéos motorisés",
        "Un protocole associe signalements des habitants, vidéoprotection et saisie des "
        "engins, tandis qu'une piste de motocross encadrée est proposée aux jeunes.",
        "La répression seule déplace le problème ; l'offre alternative le réduit.",
    ),
    (
        "prev-scolaire",
        "Prendre en charge les collégiens exclus temporairement",
        "Pendant leur exclusion, les élèves sont accueillis dans une association qui mêle "
        "soutien scolaire et réflexion sur l'incident, plutôt que de rester dans la rue.",
        "L'exclusion sans prise en charge est un temps d'exposition au risque.",
    ),
    (
        "prev-justice",
        "Rapprocher la justice des habitants par une maison de justice",
        "La maison de justice et du droit accueille des permanences d'avocats, de "
        "conciliateurs et de délégués du procureur dans le quartier.",
        "L'accès au droit gratuit et proche évite que les petits litiges dégénèrent.",
    ),
    (
        "prev-specialisee",
        "Ancrer une équipe de prévention spécialisée dans le quartier",
        "Trois éducateurs de rue assurent une présence sociale le soir, en libre adhésion et "
        "sans mandat nominatif, dans les lieux de regroupement des jeunes.",
        "L'anonymat et la libre adhésion sont le socle de la relation éducative.",
    ),
]

MEDIATION: list[Practice] = [
    (
        "med-nuit",
        "Déployer des correspondants de nuit dans les résidences",
        "Des médiateurs circulent de 18 h à 2 h dans les résidences, répondent aux appels "
        "des locataires pour les conflits de voisinage et les nuisances sonores.",
        "La présence en soirée répond à un besoin que ni la police ni le bailleur ne couvrent.",
    ),
    (
        "med-scolaire",
        "Placer des médiateurs aux abords des collèges",
        "Deux médiateurs sont présents aux entrées et sorties du collège, font le lien avec "
        "les familles et interviennent sur les conflits dans les transports.",
        "Les conflits commencent souvent sur les réseaux sociaux le week-end.",
    ),
    (
        "med-sante",
        "Recruter une médiatrice en santé pour les personnes éloignées du soin",
        "La médiatrice accompagne vers l'ouverture des droits à l'assurance maladie, la prise "
        "de rendez-vous et le dépistage.",
        "Elle fait le pont entre deux mondes qui ne se comprennent pas.",
    ),
    (
        "med-voisinage",
        "Résoudre les conflits de voisinage par la médiation",
        "Une association de médiation reçoit les voisins séparément puis ensemble ; les "
        "gardiens orientent vers elle avant tout courrier du bailleur.",
        "Intervenir tôt, avant le dépôt de plainte, évite l'escalade.",
    ),
    (
        "med-transports",
        "Apaiser les tensions dans les bus de nuit",
        "Des agents de médiation montent dans les bus des lignes de soirée, en lien avec "
        "les conducteurs et le poste de régulation.",
        "Les conducteurs se sentent moins seuls ; les dégradations ont baissé.",
    ),
    (
        "med-interpretariat",
        "Faciliter la communication avec les familles non francophones",
        "Des femmes-relais traduisent et expliquent aux familles les démarches de l'école, "
        "de la CAF et de l'hôpital.",
        "La traduction ne suffit pas : il faut expliquer les codes de l'institution.",
    ),
    (
        "med-espace-public",
        "Médiation sociale dans l'espace public en soirée d'été",
        "Une équipe mobile occupe les places et les squares les soirs d'été, discute avec "
        "les groupes et régule les nuisances avant qu'elles ne dégénèrent.",
        "Être connu des jeunes avant l'été rend l'intervention possible.",
    ),
    (
        "med-professionnalisation",
        "Professionnaliser les adultes-relais",
        "Une formation qualifiante de technicien médiation services a été financée pour les "
        "adultes-relais du territoire, avec une analyse de pratiques mensuelle.",
        "Un poste d'adulte-relais sans perspective de qualification s'use en trois ans.",
    ),
    (
        "med-bailleur",
        "Installer une médiation locative pour prévenir les impayés",
        "Une médiatrice locative contacte les locataires dès le premier impayé, propose un "
        "plan d'apurement et oriente vers le fonds de solidarité logement.",
        "Le premier mois d'impayé est le bon moment ; au troisième, il est souvent trop tard.",
    ),
    (
        "med-numerique",
        "Médiation numérique pour les démarches administratives",
        "Un médiateur numérique tient des permanences dans les halls et aide à créer les "
        "comptes en ligne, sans faire à la place des personnes.",
        "Faire avec plutôt que faire à la place rend les personnes autonomes.",
    ),
    (
        "med-seniors",
        "Rompre l'isolement des personnes âgées",
        "Des médiateurs frappent aux portes des locataires de plus de 75 ans repérés par le "
        "bailleur et organisent des visites de convivialité.",
        "La canicule a révélé combien de personnes âgées vivaient seules sans que "
        "personne le sache.",
    ),
    (
        "med-evaluation",
        "Mesurer l'utilité sociale de la médiation",
        "Une grille d'évaluation commune aux structures de médiation recense les situations "
        "traitées, les orientations et les conflits évités.",
        "Sans indicateurs partagés, les financeurs ne voient que le coût des postes.",
    ),
    (
        "med-marchés",
        "Médiation sur le marché forain du quartier",
        "Les médiateurs sont présents les jours de marché pour gérer les tensions entre "
        "commerçants, les stationnements et les ventes à la sauvette.",
        "Le marché est un moment clé de la vie du quartier, il mérite une présence.",
    ),
]
