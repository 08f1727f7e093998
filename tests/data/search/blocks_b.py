"""Hand-written building blocks of the search test set, part 2 (four themes)."""

from __future__ import annotations

from tests.data.search.blocks_a import Practice

SANTE: list[Practice] = [
    (
        "san-clsm",
        "Créer un conseil local de santé mentale",
        "Psychiatrie de secteur, bailleurs, CCAS et police se réunissent dans une instance "
        "de coordination qui traite les situations complexes de souffrance psychique.",
        "Les bailleurs étaient démunis face aux troubles du voisinage liés à la santé mentale.",
    ),
    (
        "san-maison",
        "Ouvrir une maison de santé pluriprofessionnelle",
        "Médecins généralistes, infirmières et kinésithérapeutes se sont regroupés dans un "
        "local du bailleur à loyer modéré, avec un projet de santé commun.",
        "Les jeunes médecins s'installent s'ils ne sont pas seuls.",
    ),
    (
        "san-depistage",
        "Organiser des dépistages itinérants du diabète",
        "Un bus de prévention stationne devant le marché et le centre social ; infirmières "
        "et diététicienne proposent un test de glycémie et orientent vers le médecin.",
        "Aller vers les personnes est indispensable : elles ne viennent pas d'elles-mêmes.",
    ),
    (
        "san-nutrition",
        "Des ateliers cuisine pour prévenir l'obésité infantile",
        "Des ateliers parents-enfants au centre social apprennent à cuisiner des repas "
        "équilibrés à petit budget, avec les produits du marché.",
        "Le budget, pas l'ignorance, est le premier obstacle à une alimentation saine.",
    ),
    (
        "san-asv",
        "Animer un atelier santé ville",
        "La coordinatrice réalise un diagnostic partagé de santé, anime un réseau de "
        "professionnels et construit un programme d'actions de prévention.",
        "La coordination est un métier : elle demande un poste stable.",
    ),
    (
        "san-dentaire",
        "Améliorer la santé bucco-dentaire des enfants",
        "Des dentistes interviennent dans les écoles maternelles pour un dépistage et un "
        "brossage des dents collectif ; les enfants repérés sont orientés avec leurs "
        "parents.",
        "Le suivi après le dépistage est le maillon faible : il faut accompagner le premier "
        "rendez-vous.",
    ),
    (
        "san-addictions",
        "Réduire les risques liés aux addictions chez les jeunes",
        "Une consultation jeunes consommateurs tient des permanences avancées à la mission "
        "locale, sans rendez-vous.",
        "Parler du cannabis sans jugement ouvre la porte au soin.",
    ),
    (
        "san-femmes",
        "Faciliter le suivi gynécologique des femmes",
        "Une sage-femme de la PMI assure des consultations au centre social et organise des "
        "temps collectifs sur la contraception et le dépistage du cancer du col.",
        "Beaucoup de femmes n'avaient jamais eu de suivi depuis leur dernière grossesse.",
    ),
    (
        "san-sport-sante",
        "Prescrire du sport sur ordonnance",
        "Les médecins prescrivent de l'activité physique adaptée ; des éducateurs sportifs "
        "encadrent des séances de marche et de gymnastique douce.",
        "L'encadrement bienveillant fait revenir les personnes en surpoids.",
    ),
    (
        "san-psychotrauma",
        "Accompagner les familles après un événement traumatique",
        "Après un incendie meurtrier dans une tour, une cellule d'écoute a été installée au "
        "pied de l'immeuble avec des psychologues et des interprètes.",
        "La prise en charge doit durer au-delà de l'urgence médiatique.",
    ),
    (
        "san-droits",
        "Ouvrir les droits à la complémentaire santé",
        "Des journées d'accès aux droits avec l'assurance maladie permettent de remplir sur "
        "place les dossiers de complémentaire santé solidaire.",
        "Le non-recours est massif : un tiers des personnes éligibles n'avait rien demandé.",
    ),
    (
        "san-cls",
        "Signer un contrat local de santé avec l'agence régionale",
        "La ville et l'ARS ont défini cinq axes prioritaires, dont l'accès aux soins de "
        "premier recours et la santé environnementale, avec un budget pluriannuel.",
        "Le contrat donne un cadre, mais la dynamique vient des acteurs de terrain.",
    ),
    (
        "san-environnement",
        "Lutter contre l'habitat insalubre et le saturnisme",
        "Des visites à domicile repèrent les logements humides et les peintures au plomb ; "
        "le service d'hygiène engage les procédures contre les propriétaires.",
        "Les marchands de sommeil exploitent la peur des locataires de perdre leur logement.",
    ),
]

EDUCATION: list[Practice] = [
    (
        "edu-pre",
        "Mettre en place un parcours de réussite éducative",
        "Une équipe pluridisciplinaire de soutien examine la situation des enfants "
        "fragiles et construit avec les parents un parcours individualisé : orthophonie, "
        "aide aux devoirs, activités culturelles.",
        "L'adhésion des parents est la clé ; rien ne se fait sans leur accord.",
    ),
    (
        "edu-decrochage",
        "Raccrocher les élèves en rupture avec le collège",
        "Un dispositif relais accueille pour six semaines des élèves absentéistes, avec un "
        "enseignant et un éducateur, avant un retour progressif en classe.",
        "Le retour en classe doit être préparé avec l'équipe pédagogique d'origine.",
    ),
    (
        "edu-devoirs",
        "Organiser l'accompagnement à la scolarité avec des étudiants",
        "Des étudiants bénévoles aident aux devoirs deux soirs par semaine dans les locaux "
        "du bailleur, en lien avec les professeurs principaux.",
        "La régularité compte plus que la durée des séances.",
    ),
    (
        "edu-parents-ecole",
        "Faire entrer les parents dans l'école",
        "Un café des parents est ouvert chaque vendredi matin dans l'école, avec des "
        "traductrices ; les enseignants y présentent le fonctionnement de la classe.",
        "Les parents qui ne maîtrisent pas le français se tiennent à l'écart de l'école par "
        "crainte.",
    ),
    (
        "edu-cite-educative",
        "Coordonner une cité éducative de la petite enfance à l'insertion",
        "Le principal du collège, le délégué du préfet et la ville pilotent ensemble une "
        "programmation commune, avec un fonds de la cité pour les initiatives locales.",
        "La gouvernance à trois est lourde mais elle décloisonne l'école et la ville.",
    ),
    (
        "edu-petite-enfance",
        "Préparer l'entrée à l'école maternelle des tout-petits",
        "Une classe passerelle accueille les enfants de deux ans avec leurs parents, pour "
        "une transition douce entre la maison et l'école.",
        "La séparation se prépare ; les parents découvrent l'école à leur rythme.",
    ),
    (
        "edu-lecture",
        "Donner le goût de la lecture aux enfants",
        "Des lectures à voix haute dans les squares l'été et des sacs de livres prêtés aux "
        "familles ont été organisés par la médiathèque.",
        "Le livre doit sortir des bibliothèques pour aller vers les familles.",
    ),
    (
        "edu-orientation",
        "Élargir les choix d'orientation des lycéens",
        "Des visites d'entreprises, de grandes écoles et des rencontres avec d'anciens "
        "élèves ont été organisées pour les élèves de seconde.",
        "L'autocensure se combat par des modèles proches, qui viennent du même quartier.",
    ),
    (
        "edu-numerique",
        "Équiper les familles pour l'école à distance",
        "Des ordinateurs reconditionnés ont été prêtés aux collégiens et des ateliers ont "
        "appris aux parents à utiliser l'espace numérique de travail.",
        "Le matériel sans accompagnement reste dans le placard.",
    ),
    (
        "edu-vacances",
        "Éviter les pertes d'apprentissage pendant l'été",
        "Des vacances apprenantes mêlent activités ludiques le matin et sorties l'après-midi "
        "pour les écoliers qui ne partent pas.",
        "Le jeu est un bon support pour réviser sans que cela ressemble à l'école.",
    ),
    (
        "edu-harcelement",
        "Lutter contre le harcèlement entre élèves",
        "Des élèves ambassadeurs formés au collège repèrent les situations et les signalent ; "
        "des séances de sensibilisation ont lieu dans toutes les classes de sixième.",
        "Les élèves se confient plus facilement à d'autres élèves.",
    ),
    (
        "edu-langues",
        "Valoriser les langues parlées à la maison",
        "Un projet d'éveil aux langues invite les parents à lire des albums dans leur langue "
        "en classe.",
        "Reconnaître la langue des parents renforce leur place dans la scolarité.",
    ),
    (
        "edu-sport",
        "Utiliser le sport comme levier éducatif",
        "Un club de boxe impose l'assiduité scolaire pour participer aux compétitions et "
        "propose une aide aux devoirs avant l'entraînement.",
        "Le coach est une figure d'autorité que les adolescents respectent.",
    ),
]

GUSP: list[Practice] = [
    (
        "gusp-diagnostic",
        "Réaliser un diagnostic en marchant avec les habitants",
        "Un parcours d'une heure et demie a réuni habitants, gardiens, services techniques "
        "et élus ; chaque dysfonctionnement relevé a été photographié et noté sur une carte.",
        "Le compte rendu doit revenir vite aux participants avec les réponses apportées.",
    ),
    (
        "gusp-encombrants",
        "En finir avec les dépôts d'encombrants sauvages",
        "Une collecte mensuelle au pied des immeubles, une ressourcerie mobile et des "
        "messages dans les halls ont été combinés avec des sanctions contre les dépôts "
        "répétés.",
        "La collecte doit être plus simple que le dépôt sauvage.",
    ),
    (
        "gusp-convention",
        "Négocier une convention de gestion urbaine de proximité",
        "La ville et les bailleurs ont réparti les responsabilités d'entretien par un "
        "plan de domanialité et un programme d'actions annuel.",
        "Savoir qui fait quoi sur chaque mètre carré évite les zones orphelines.",
    ),
    (
        "gusp-tfpb",
        "Utiliser l'abattement de taxe foncière des bailleurs",
        "Le bailleur finance avec l'abattement des actions de sur-entretien, des gardiens "
        "supplémentaires et des animations, suivies dans un comité annuel avec les "
        "locataires.",
        "Sans suivi partagé, l'abattement finance l'entretien courant.",
    ),
    (
        "gusp-proprete",
        "Améliorer la propreté des espaces extérieurs",
        "Des tournées communes ville-bailleur et une brigade de propreté renforcée le lundi "
        "matin ont été mises en place après les week-ends chargés.",
        "La propreté est le premier indicateur de qualité de vie cité par les habitants.",
    ),
    (
        "gusp-chantier",
        "Limiter les nuisances d'un chantier de rénovation pour les riverains",
        "Une charte chantier propre fixe les horaires, le nettoyage des voiries et un "
        "interlocuteur joignable ; un journal de chantier est distribué dans les boîtes aux "
        "lettres.",
        "L'information régulière réduit les plaintes de moitié.",
    ),
    (
        "gusp-gardiens",
        "Renforcer le rôle des gardiens d'immeuble",
        "Les gardiens ont été formés à la gestion des conflits et disposent d'une "
        "application pour signaler les dysfonctionnements en temps réel.",
        "Le gardien est le premier repère des locataires : il faut le soutenir.",
    ),
    (
        "gusp-stationnement",
        "Traiter les véhicules ventouses et épaves",
        "Un recensement des épaves par les médiateurs, puis un enlèvement groupé avec la "
        "fourrière, ont libéré les places de stationnement du quartier.",
        "Les épaves signalent un abandon du quartier ; leur enlèvement rapide compte.",
    ),
    (
        "gusp-jardins",
        "Créer des jardins partagés en pied d'immeuble",
        "Des parcelles ont été aménagées sur une pelouse délaissée et confiées à une "
        "association de locataires, avec un animateur jardinier.",
        "Un espace approprié par les habitants est un espace respecté.",
    ),
    (
        "gusp-tri",
        "Faire progresser le tri des déchets dans les résidences",
        "Des ambassadeurs du tri ont fait du porte-à-porte et les bacs ont été déplacés "
        "près des entrées, avec une signalétique en pictogrammes.",
        "La signalétique doit se comprendre sans lire le français.",
    ),
    (
        "gusp-nuisibles",
        "Lutter contre les rats et les punaises de lit",
        "Une campagne de dératisation coordonnée sur tout le quartier et un traitement des "
        "punaises de lit pris en charge par le bailleur ont été organisés.",
        "Traiter un seul immeuble ne sert à rien : il faut agir partout en même temps.",
    ),
    (
        "gusp-ascenseurs",
        "Obtenir la réparation rapide des ascenseurs en panne",
        "Un suivi des pannes partagé avec l'amicale des locataires et des pénalités dans le "
        "contrat de maintenance ont réduit les délais d'intervention.",
        "Une panne de plusieurs semaines enferme les personnes âgées chez elles.",
    ),
    (
        "gusp-eclairage-public",
        "Coordonner les interventions sur les espaces extérieurs",
        "Une cellule de veille technique rassemble chaque semaine les signalements des "
        "habitants sur la voirie, l'éclairage et le mobilier urbain.",
        "Un seul numéro pour signaler évite que les habitants renoncent.",
    ),
]

PARTICIPATION: list[Practice] = [
    (
        "part-conseil-citoyen",
        "Installer un conseil citoyen qui dure",
        "Le conseil citoyen a été tiré au sort parmi les habitants et les acteurs locaux ; "
        "il dispose d'un local, d'un petit budget et d'une formation au contrat de ville.",
        "Sans moyens propres, le conseil s'essouffle en un an.",
    ),
    (
        "part-budget",
        "Lancer un budget participatif de quartier",
        "Les habitants ont proposé puis voté des projets financés par la ville : aire de "
        "jeux, boîte à livres, fresque murale.",
        "Réaliser vite les projets votés est la condition de la confiance.",
    ),
    (
        "part-porte-a-porte",
        "Aller à la rencontre des habitants qui ne participent jamais",
        "Une équipe a fait du porte-à-porte dans toutes les cages d'escalier avec un "
        "questionnaire court et un café offert.",
        "Les habitants absents des réunions ont des choses à dire, encore faut-il aller les voir.",
    ),
    (
        "part-fonds",
        "Soutenir les initiatives habitantes par un fonds de participation",
        "Un fonds géré par un comité d'habitants finance de petits projets en moins d'un "
        "mois : fête des voisins, sortie familiale, repair café.",
        "La rapidité de la décision encourage les habitants à proposer.",
    ),
    (
        "part-jeunes",
        "Faire participer les jeunes aux décisions du quartier",
        "Un conseil de jeunes a été associé à la conception du nouveau city-stade et "
        "a présenté ses propositions aux élus.",
        "Les jeunes s'engagent sur un projet concret, pas dans une instance abstraite.",
    ),
    (
        "part-evaluation",
        "Associer les habitants à l'évaluation du contrat de ville",
        "Des habitants formés ont mené des entretiens auprès de leurs voisins pour évaluer "
        "les actions du contrat.",
        "Les habitants posent des questions que les évaluateurs n'auraient pas posées.",
    ),
    (
        "part-femmes",
        "Donner la parole aux femmes dans l'espace public",
        "Des marches exploratoires de femmes ont identifié les lieux évités et proposé des "
        "aménagements aux services de la ville.",
        "Les femmes connaissent le quartier autrement : leur regard change les projets.",
    ),
    (
        "part-tables",
        "Organiser une table de quartier",
        "Associations et habitants se réunissent librement pour porter des sujets communs "
        "auprès des pouvoirs publics, accompagnés par une fédération de centres sociaux.",
        "La table de quartier part des préoccupations des habitants, pas de l'agenda "
        "institutionnel.",
    ),
    (
        "part-fete",
        "Organiser une fête de quartier avec les associations",
        "Les associations préparent ensemble une fête annuelle : repas partagé, scène "
        "ouverte, stands des services publics.",
        "La fête crée des liens qui servent ensuite dans les projets.",
    ),
    (
        "part-amicale",
        "Relancer une amicale de locataires",
        "Le centre social a accompagné un petit groupe de locataires pour recréer une "
        "association affiliée, avec une permanence mensuelle.",
        "Quelques personnes motivées suffisent pour relancer une dynamique collective.",
    ),
    (
        "part-photo",
        "Raconter le quartier par la photographie",
        "Des habitants ont photographié leur quartier pendant six mois avec une "
        "photographe ; l'exposition a été installée sur les palissades de chantier.",
        "Changer l'image du quartier commence par le regard de ses habitants.",
    ),
    (
        "part-numerique",
        "Consulter les habitants avec une plateforme en ligne",
        "Une plateforme numérique de consultation a complété les ateliers, avec des bornes "
        "dans les halls pour ceux qui n'ont pas d'ordinateur.",
        "Le numérique élargit le public sans remplacer la rencontre.",
    ),
    (
        "part-formation",
        "Former les habitants à la prise de parole en public",
        "Des ateliers d'éloquence ont préparé des membres du conseil citoyen à intervenir "
        "en comité de pilotage.",
        "Être légitime à parler face aux institutions s'apprend.",
    ),
]
